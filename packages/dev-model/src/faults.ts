/**
 * Fault injection, requested per call.
 *
 * A fault spec is a comma- or semicolon-separated list of `key=value` items, given either in the
 * `x-dev-model-fault` request header or as magic words `[[dev-model:<spec>]]` anywhere in the
 * last user message (for callers that cannot set headers, e.g. through the whole stack):
 *
 * | item | effect |
 * |---|---|
 * | `delay=MS` | wait MS milliseconds before answering (before the response headers) |
 * | `status=CODE` | answer with that HTTP error status and the API's error body |
 * | `retry-after=S` | with `status=429`/`503`: send `Retry-After: S` (seconds) |
 * | `error-after=N` | stream N tokens, then an error line (`{"error":…}` / SSE `data: {"error":…}`) |
 * | `drop-after=N` | stream N tokens, then destroy the connection (no final chunk) |
 * | `times=N` + `id=KEY` | apply the fault only to the first N requests carrying that id |
 * | `token-delay=MS` | pace of this stream, overriding the server's `tokenDelayMs` |
 *
 * Unknown items are ignored; invalid numbers make the server answer 400.
 */

/** The header that carries a fault spec. */
export const FAULT_HEADER = 'x-dev-model-fault';

const MAGIC = /\[\[dev-model:([^\]]*)\]\]/;

/** A parsed fault spec. */
export interface FaultSpec {
  delayMs?: number;
  status?: number;
  retryAfterS?: number;
  errorAfter?: number;
  dropAfter?: number;
  times?: number;
  id?: string;
  tokenDelayMs?: number;
}

/** Thrown for a malformed fault spec; the server answers 400 with its message. */
export class FaultSpecError extends Error {
  readonly code = 'AUTOBOT_ERR_DEV_MODEL_FAULT_SPEC';
}

const NUMERIC: Record<string, keyof FaultSpec> = {
  delay: 'delayMs',
  status: 'status',
  'retry-after': 'retryAfterS',
  'error-after': 'errorAfter',
  'drop-after': 'dropAfter',
  times: 'times',
  'token-delay': 'tokenDelayMs',
};

/** Parses a spec string; `undefined` for an empty one. Throws {@link FaultSpecError} on bad numbers. */
export function parseFaultSpec(spec: string | undefined): FaultSpec | undefined {
  if (!spec?.trim()) return undefined;
  const fault: FaultSpec = {};
  for (const item of spec.split(/[,;]/)) {
    const [rawKey, ...rest] = item.split('=');
    const key = (rawKey ?? '').trim().toLowerCase();
    const value = rest.join('=').trim();
    if (!key) continue;
    if (key === 'id') {
      fault.id = value;
      continue;
    }
    const field = NUMERIC[key];
    if (!field) continue;
    const n = Number(value);
    if (value === '' || !Number.isInteger(n) || n < 0 || n > 3_600_000) {
      throw new FaultSpecError(`fault item "${key}" needs a non-negative integer, got "${value}"`);
    }
    if (field === 'status' && (n < 400 || n > 599)) {
      throw new FaultSpecError(`fault status must be 400-599, got ${n}`);
    }
    (fault as Record<string, number>)[field] = n;
  }
  return fault;
}

/** The fault spec carried by the magic words in a prompt, if any. */
export function faultFromPrompt(prompt: string): string | undefined {
  return MAGIC.exec(prompt)?.[1];
}

/**
 * Remembers how often each `id` was seen so `times=N` faults apply only to the first N requests.
 * Bounded: the oldest ids are forgotten past `maxIds`.
 */
export class FaultCounter {
  readonly #seen = new Map<string, number>();
  constructor(private readonly maxIds = 10_000) {}

  /** Returns the fault if it applies to this request, `undefined` once its `times` are used up. */
  apply(fault: FaultSpec | undefined): FaultSpec | undefined {
    if (!fault || fault.times === undefined) return fault;
    const key = fault.id ?? '';
    const seen = (this.#seen.get(key) ?? 0) + 1;
    this.#seen.delete(key);
    this.#seen.set(key, seen);
    if (this.#seen.size > this.maxIds) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    return seen <= fault.times ? fault : undefined;
  }
}
