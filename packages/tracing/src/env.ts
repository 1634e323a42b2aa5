/**
 * Typed readers for operator-supplied values (environment variables).
 *
 * A bad value is operator input, not a programmer error: it never throws. Each reader returns
 * either a parsed value or a description of what was expected, and `resolveLayers` turns a list
 * of candidate sources into one value plus one warning per invalid source, naming the variable,
 * the value, what was expected and the fallback actually used.
 */

/** The variables to read: `process.env` in production, a plain object in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A parse result: the value, or what the input should have looked like. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

/**
 * Turns one raw value (already trimmed, never empty) into a {@link Parsed} result. Must not
 * throw: a bad value is reported as `{ ok: false, expected }`, which becomes the warning's text.
 */
export type Parser<T> = (raw: string) => Parsed<T>;

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** `true/false`, `1/0`, `yes/no`, `on/off`, case-insensitive, surrounding spaces ignored. */
export const parseBoolean: Parser<boolean> = (raw) => {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return { ok: true, value: true };
  if (FALSE_WORDS.has(word)) return { ok: true, value: false };
  return { ok: false, expected: 'true or false' };
};

/** A finite decimal number within [min, max]. */
export function numberInRange(min: number, max: number): Parser<number> {
  return (raw) => {
    const text = raw.trim();
    const value = text === '' ? Number.NaN : Number(text);
    if (Number.isFinite(value) && value >= min && value <= max) return { ok: true, value };
    return { ok: false, expected: `a number from ${min} to ${max}` };
  };
}

/** A whole number within [min, max]. */
export function integerInRange(min: number, max: number): Parser<number> {
  return (raw) => {
    const text = raw.trim();
    const value = /^[+]?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (Number.isSafeInteger(value) && value >= min && value <= max) return { ok: true, value };
    return { ok: false, expected: `a whole number from ${min} to ${max}` };
  };
}

/** An absolute http(s) URL with a host. */
export const parseHttpUrl: Parser<URL> = (raw) => {
  try {
    const url = new URL(raw.trim());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') {
      return { ok: true, value: url };
    }
  } catch {
    // fall through to the expectation below
  }
  return { ok: false, expected: 'an http:// or https:// URL with a host, e.g. http://127.0.0.1:4317' };
};

/** Any non-empty text (trimmed). */
export const parseText: Parser<string> = (raw) => {
  const value = raw.trim();
  return value === '' ? { ok: false, expected: 'a non-empty value' } : { ok: true, value };
};

/** One of a fixed set of words (trimmed, case-insensitive), returned in lower case. */
export function oneOf<T extends string>(choices: readonly T[]): Parser<T> {
  return (raw) => {
    const word = raw.trim().toLowerCase();
    return (choices as readonly string[]).includes(word)
      ? { ok: true, value: word as T }
      : { ok: false, expected: choices.join(', ') };
  };
}

/** One place a value may come from: a named environment variable. */
export interface EnvSource<T> {
  variable: string;
  parse: Parser<T>;
}

/**
 * Resolve a setting from environment variables tried in order, falling back to `fallback`.
 * Unset or empty variables are skipped silently; each set-but-invalid one adds one warning that
 * names the value finally used, which is the next valid source or the default.
 */
export function resolveLayers<T>(
  env: Env,
  sources: readonly EnvSource<T>[],
  fallback: T,
  warnings: string[],
  show: (value: T) => string = String,
): T {
  const invalid: { variable: string; raw: string; expected: string }[] = [];
  let result: T = fallback;
  for (const source of sources) {
    const raw = env[source.variable];
    if (raw === undefined || raw === '') continue;
    const parsed = source.parse(raw);
    if (parsed.ok) {
      result = parsed.value;
      break;
    }
    invalid.push({ variable: source.variable, raw, expected: parsed.expected });
  }
  for (const bad of invalid) {
    warnings.push(
      `${bad.variable}=${JSON.stringify(bad.raw)} is invalid (expected ${bad.expected}); using ${show(result)}`,
    );
  }
  return result;
}

/**
 * The one environment reader of every AutoBot package, service and CLI: typed settings read with
 * {@link resolveLayers}, so every process words configuration warnings the same way. An invalid
 * value never throws: it adds one line to {@link EnvReader.warnings} naming the variable, the
 * value, what was expected and the fallback used. The caller decides where warnings go (a
 * service logs them at start; libraries pass them to `warnOnce`).
 */
export class EnvReader {
  /** One line per invalid value read so far. */
  readonly warnings: string[] = [];

  constructor(private readonly env: Env = process.env) {}

  /** Trimmed text, or `fallback` when unset or empty. */
  text(variable: string, fallback: string): string {
    const raw = this.env[variable]?.trim();
    return raw === undefined || raw === '' ? fallback : raw;
  }

  /** TCP port 0–65535 (0 = any free port). */
  port(variable: string, fallback: number): number {
    return this.integer(variable, fallback, 0, 65_535);
  }

  /** Whole number in `[min, max]`. */
  integer(variable: string, fallback: number, min: number, max: number): number {
    return this.layered([variable], integerInRange(min, max), fallback);
  }

  /** `true/false`, `1/0`, `yes/no`, `on/off`. */
  boolean(variable: string, fallback: boolean): boolean {
    return this.layered([variable], parseBoolean, fallback);
  }

  /** An http(s) URL without a trailing slash. */
  url(variable: string, fallback: string): string {
    const parse: Parser<string> = (raw) => {
      const parsed = parseHttpUrl(raw);
      return parsed.ok ? { ok: true, value: parsed.value.href.replace(/\/+$/, '') } : parsed;
    };
    return this.layered([variable], parse, fallback);
  }

  /** Comma-separated list (empty items dropped). */
  list(variable: string, fallback: readonly string[]): string[] {
    const raw = this.env[variable];
    if (raw === undefined || raw.trim() === '') return [...fallback];
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** One of `choices` (case-insensitive). */
  choice<T extends string>(variable: string, choices: readonly T[], fallback: T): T {
    const parse: Parser<T> = (raw) => {
      const found = choices.find((c) => c === raw.trim().toLowerCase());
      return found ? { ok: true, value: found } : { ok: false, expected: `one of ${choices.join(', ')}` };
    };
    return this.layered([variable], parse, fallback);
  }

  /**
   * The first valid value of `variables`, tried in order (`AUTOBOT_*` before `OTEL_*`), else
   * `fallback`; each set-but-invalid variable adds a warning naming the value finally used.
   */
  layered<T>(variables: readonly string[], parse: Parser<T>, fallback: T, show?: (value: T) => string): T {
    return resolveLayers(
      this.env,
      variables.map((variable) => ({ variable, parse })),
      fallback,
      this.warnings,
      show,
    );
  }
}
