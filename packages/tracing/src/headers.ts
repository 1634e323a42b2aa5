import type { TextMapGetter } from '@opentelemetry/api';

/** Header shapes accepted wherever trace context is read: Node's, fetch's, or a plain record. */
export type HeaderCarrier =
  | Record<string, string | string[] | number | undefined>
  | { forEach(callback: (value: string, key: string) => void): void };

/** Lowercase-keyed copy of `headers`, so `X-B3-TraceId` and `x-b3-traceid` both match. */
export function normalizeHeaders(headers: HeaderCarrier | undefined | null): Record<string, string> {
  const result: Record<string, string> = {};
  if (!headers || typeof headers !== 'object') return result;
  if (typeof headers.forEach === 'function' && !Array.isArray(headers)) {
    (headers as { forEach(cb: (v: string, k: string) => void): void }).forEach((value, key) => {
      result[key.toLowerCase()] = String(value);
    });
    return result;
  }
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    result[key.toLowerCase()] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return result;
}

/** Getter over an already-lowercased record. */
export const lowercaseGetter: TextMapGetter<Record<string, string>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key.toLowerCase()],
};
