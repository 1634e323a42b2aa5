/** Pieces shared by the Monitor and LLM pages: time ranges, search links, table helpers. */
import { h } from '../dom.js';
import { durationLiteral } from '../format.js';

/** Time ranges offered (value, label, ms). */
export const RANGES: [string, string, number][] = [
  ['1h', 'Last hour', 3600e3],
  ['6h', 'Last 6 hours', 6 * 3600e3],
  ['24h', 'Last 24 hours', 24 * 3600e3],
  ['7d', 'Last 7 days', 7 * 24 * 3600e3],
];

/** The range select, set from `?range=` (default 1h). */
export function rangeSelect(url: URL, id: string): HTMLSelectElement {
  const select = h(
    'select',
    { id },
    RANGES.map(([v, label]) => h('option', { value: v }, label)),
  );
  select.value = RANGES.some(([v]) => v === url.searchParams.get('range'))
    ? (url.searchParams.get('range') as string)
    : '1h';
  return select;
}

/** Milliseconds of the selected range. */
export function rangeMs(select: HTMLSelectElement): number {
  return (RANGES.find(([v]) => v === select.value) ?? RANGES[0])?.[2] as number;
}

/** Quotes a value for the query language. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A link to the search page for a query over a time window (µs), live updates off. */
export function searchHref(q: string, startUs: number, endUs: number): string {
  const p = new URLSearchParams({
    q,
    lookback: 'custom',
    start: String(Math.floor(startUs)),
    end: String(Math.ceil(endUs)),
    live: 'off',
  });
  return `/search?${p.toString()}`;
}

/** `duration >= …` for a threshold in ms. */
export function minDurationClause(ms: number): string {
  return `duration >= ${durationLiteral(Math.floor(ms * 1000))}`;
}

/** Formats milliseconds compactly (`—` for null). */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value < 1) return `${(value * 1000).toFixed(0)}µs`;
  if (value < 1000) return `${value < 10 ? value.toFixed(2) : value.toFixed(0)}ms`;
  return `${(value / 1000).toFixed(2)}s`;
}

/** Formats US dollars with enough digits for sub-cent calls. */
export function usd(value: number): string {
  if (value === 0) return '$0';
  return value >= 1 ? `$${value.toFixed(2)}` : `$${value.toPrecision(3)}`;
}

/** A table with a header row. */
export function table(cls: string, headers: string[], rows: HTMLTableRowElement[]): HTMLTableElement {
  return h(
    'table',
    { class: `metrics-table ${cls}` },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        headers.map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h('tbody', null, rows),
  );
}
