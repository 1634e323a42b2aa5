/** Formatting helpers. All durations and times in this UI are microseconds, as Jaeger sends them. */

/** Formats a duration in µs as `850µs`, `12.3ms`, `4.56s`, `2m 3s`. */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return '—';
  const abs = Math.abs(us);
  if (abs < 1000) return `${Math.round(us)}µs`;
  if (abs < 1_000_000) return `${trim(us / 1000)}ms`;
  if (abs < 60_000_000) return `${trim(us / 1_000_000)}s`;
  const totalSeconds = Math.round(us / 1_000_000);
  return `${Math.floor(totalSeconds / 60)}m ${totalSeconds % 60}s`;
}

function trim(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** Formats a µs epoch timestamp as a local date-time with milliseconds. */
export function formatTime(us: number): string {
  const d = new Date(us / 1000);
  if (Number.isNaN(d.getTime())) return '—';
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Formats a µs epoch timestamp as a short time of day (scatter plot axis). */
export function formatClock(us: number): string {
  const d = new Date(us / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * Parses a human duration (`150ms`, `2s`, `1.5m`, `300us`, a bare number = ms) to µs.
 * Returns `undefined` for empty input and `NaN` for input that does not parse.
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)?$/i.exec(t);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const factor: Record<string, number> = { us: 1, µs: 1, ms: 1e3, s: 1e6, m: 6e7, h: 3.6e9 };
  return n * (factor[unit] ?? 1e3);
}

/** Renders a µs duration in the query language's duration syntax (`1500ms`, `2s`). */
export function durationLiteral(us: number): string {
  if (us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us % 1000 === 0) return `${us / 1000}ms`;
  return `${Math.round(us)}us`;
}

/** Stringifies any tag value for display (objects as JSON). Always returns plain text. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * Attribute values for display: a number gets at most 6 significant digits (no binary-float noise
 * such as `0.024379180000003543`) and a unit when its key names one — `…_ms` milliseconds, `…_us`
 * microseconds, and the OpenTelemetry GenAI timings (`gen_ai.…time_to_first…`, `gen_ai.…duration`),
 * which are seconds and are also shown in ms. Other values as `valueText`.
 */
export function attributeText(key: string, value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return valueText(value);
  const n = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (/_ms$/.test(key)) return `${n} ms`;
  if (/_us$/.test(key)) return `${n} µs`;
  if (/^gen_ai\..*(time_to_first|duration)/.test(key))
    return `${n} s (${Number((value * 1000).toPrecision(4))} ms)`;
  return n;
}
