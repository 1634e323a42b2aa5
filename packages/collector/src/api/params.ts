import { InvalidParameterError } from '../errors.js';
import type { Comparison, Literal, QueryNode } from '../query/ast.js';
import { parseDurationUs } from '../query/parser.js';

/** Reads a single query-string value (first one when repeated). */
export function one(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/** All values of a repeated query-string parameter. */
export function many(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** An integer parameter (e.g. microsecond timestamps); undefined when absent. */
export function intParam(name: string, value: unknown): number | undefined {
  const text = one(value);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0)
    throw new InvalidParameterError(`parameter "${name}" must be a non-negative number, got "${text}"`);
  return Math.floor(n);
}

/** A Go-style duration parameter (`1.2ms`, `100us`, `2s`) in microseconds. */
export function durationParam(name: string, value: unknown): number | undefined {
  const text = one(value);
  if (text === undefined) return undefined;
  const us = parseDurationUs(text);
  if (us === undefined) {
    throw new InvalidParameterError(
      `parameter "${name}" must be a duration like 1.2ms, 100us or 2s, got "${text}"`,
    );
  }
  return us;
}

/** Largest number of traces one search may return. */
export const MAX_SEARCH_LIMIT = 1000;

/** Widest time window a search or dependency request may ask for: 31 days. */
export const MAX_LOOKBACK_US = 31 * 24 * 3600 * 1_000_000;

/**
 * A limit in [1, max], default `fallback` (0 or absent). A larger value is capped at `max`, as
 * Jaeger does (clients such as Grafana ask for large limits); `/api/search` reports the limit used.
 */
export function limitParam(value: unknown, fallback: number, max = MAX_SEARCH_LIMIT, name = 'limit'): number {
  const n = intParam(name, value);
  if (n === undefined || n === 0) return fallback;
  return Math.min(n, max);
}

/** Refuses a time window (µs) wider than {@link MAX_LOOKBACK_US}. */
export function checkWindow(name: string, startUs: number | undefined, endUs: number | undefined): void {
  if (startUs === undefined) return;
  const width = (endUs ?? Date.now() * 1000) - startUs;
  if (width > MAX_LOOKBACK_US) {
    throw new InvalidParameterError(
      `parameter "${name}" spans ${Math.ceil(width / 86_400e6)} days; the limit is ${MAX_LOOKBACK_US / 86_400e6} days`,
    );
  }
}

/** An RFC 3339 timestamp parameter in microseconds. */
export function rfc3339Param(name: string, value: unknown): number | undefined {
  const text = one(value);
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new InvalidParameterError(`parameter "${name}" must be an RFC 3339 time, got "${text}"`);
  const frac = /\.(\d+)/.exec(text)?.[1] ?? '';
  const extraUs = frac.length > 3 ? Number(frac.slice(3, 6).padEnd(3, '0')) : 0;
  return ms * 1000 + extraUs;
}

/**
 * Parses Jaeger tag filters: `tags` as a JSON object (`{"http.status_code":"500"}`) or logfmt
 * (`http.status_code=500 error=true`), and repeated `tag=key:value`.
 */
export function parseTags(tags: unknown, tag: unknown): [string, string][] {
  const out: [string, string][] = [];
  for (const text of many(tags)) {
    const trimmed = text.trim();
    if (trimmed.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch (error) {
        throw new InvalidParameterError(`parameter "tags" is not valid JSON: ${(error as Error).message}`);
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new InvalidParameterError('parameter "tags" must be a JSON object of key → value');
      }
      for (const [k, v] of Object.entries(parsed)) out.push([k, String(v)]);
      continue;
    }
    const re = /\s*([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g;
    let consumed = 0;
    for (const m of trimmed.matchAll(re)) {
      out.push([m[1] as string, m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '')]);
      consumed = (m.index ?? 0) + m[0].length;
    }
    if (trimmed.slice(consumed).trim() !== '' || (out.length === 0 && trimmed !== '')) {
      throw new InvalidParameterError(
        `parameter "tags" must be JSON or logfmt (key=value ...), got "${text}"`,
      );
    }
  }
  for (const text of many(tag)) {
    const i = text.indexOf(':');
    if (i <= 0) throw new InvalidParameterError(`parameter "tag" must be key:value, got "${text}"`);
    out.push([text.slice(0, i), text.slice(i + 1)]);
  }
  return out;
}

function cmp(field: Comparison['field'], op: Comparison['op'], value: Literal): Comparison {
  return { type: 'cmp', field, op, value, column: 0 };
}

/** Jaeger-style search filters as a query AST (all conditions on the same span). */
export function jaegerFilters(filters: {
  service?: string;
  operation?: string;
  tags: [string, string][];
  minDurationUs?: number;
  maxDurationUs?: number;
}): QueryNode | null {
  const items: QueryNode[] = [];
  if (filters.service) {
    items.push(cmp({ kind: 'intrinsic', name: 'service' }, '=', { type: 'string', value: filters.service }));
  }
  if (filters.operation) {
    items.push(cmp({ kind: 'intrinsic', name: 'name' }, '=', { type: 'string', value: filters.operation }));
  }
  for (const [key, value] of filters.tags) {
    if (key === 'error' && value.toLowerCase() === 'true') {
      items.push(cmp({ kind: 'intrinsic', name: 'status' }, '=', { type: 'word', value: 'error' }));
    } else if (key === 'span.kind' && /^(server|client|internal|producer|consumer)$/i.test(value)) {
      items.push(cmp({ kind: 'intrinsic', name: 'kind' }, '=', { type: 'word', value: value.toLowerCase() }));
    } else {
      items.push(cmp({ kind: 'attr', scope: 'any', key }, '=', { type: 'word', value }));
    }
  }
  const duration = (op: '>=' | '<=', us: number) =>
    cmp({ kind: 'intrinsic', name: 'duration' }, op, { type: 'duration', us, text: '' });
  if (filters.minDurationUs !== undefined) items.push(duration('>=', filters.minDurationUs));
  if (filters.maxDurationUs !== undefined) items.push(duration('<=', filters.maxDurationUs));
  if (items.length === 0) return null;
  return items.length === 1 ? (items[0] as QueryNode) : { type: 'and', items };
}

/** Normalises a trace id from a URL: hex, up to 32 digits, left-padded with zeros. */
export function normalizeTraceId(id: string): string {
  if (!/^[0-9a-fA-F]{1,32}$/.test(id)) {
    throw new InvalidParameterError(`trace id must be 1-32 hex digits, got "${id.slice(0, 64)}"`);
  }
  return id.toLowerCase().padStart(32, '0');
}
