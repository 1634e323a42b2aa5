import type { Attributes, DecodedBatch, ResourceInfo, ScopeInfo, SpanGroup, SpanInput } from '../model.js';

/** Validation limits applied while decoding. */
export interface DecodeLimits {
  /** Span attributes above this count reject the span (default 1024). */
  maxAttributesPerSpan: number;
  /** Events or links above this count reject the span (default 1024). */
  maxEventsPerSpan: number;
}

/** Default validation limits. */
export const DEFAULT_DECODE_LIMITS: DecodeLimits = Object.freeze({
  maxAttributesPerSpan: 1024,
  maxEventsPerSpan: 1024,
});

/** A span that fails validation: the span is rejected, the rest of the request is kept. */
export class SpanRejection extends Error {}

const REPLACEMENT_CHAR = '\uFFFD';
const TWO_POW_32 = 4294967296;
const MAX_REASONS = 5;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

// protobufjs returns 64-bit integers as Long objects (the `long` package is installed) or numbers.
interface LongLike {
  low: number;
  high: number;
  toString(): string;
}
/**
 * A 64-bit integer as protobufjs (Long or number) or OTLP/JSON (decimal string, number, or bigint
 * when the JSON number was beyond 2^53 — see `parseExact`) gives it.
 */
export type Int64 = number | bigint | LongLike | string | null | undefined;

// String.prototype.isWellFormed is ES2024 (Node 20+); the compile target's lib is ES2023.
const isWellFormed = (value: string): boolean =>
  (value as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Checks decoded text. A lone surrogate (only an OTLP/JSON `\uD800` escape can make one) cannot be
 * encoded as UTF-8, so it rejects the span. U+FFFD is a valid character and passes, except with
 * `replacementIsInvalid` — set when the raw bytes were not valid UTF-8, so U+FFFD marks the damage.
 */
export function checkText(value: string, where: string, replacementIsInvalid = false): string {
  if (!isWellFormed(value) || (replacementIsInvalid && value.includes(REPLACEMENT_CHAR))) {
    throw new SpanRejection(`invalid UTF-8 in ${where}`);
  }
  return value;
}

/** A timestamp split into whole microseconds (truncated) and the nanoseconds past them. */
export interface SplitNanos {
  us: number;
  rem: number;
}

function invalidTimestamp(value: unknown): never {
  throw new SpanRejection(`invalid timestamp "${String(value).slice(0, 40)}"`);
}

/** Unsigned nanoseconds (fixed64) to truncated microseconds plus the nanoseconds past them. */
export function splitNanos(value: Int64): SplitNanos {
  if (value === null || value === undefined) return { us: 0, rem: 0 };
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) invalidTimestamp(value);
    const us = Math.floor(value / 1000);
    return { us, rem: value - us * 1000 };
  }
  if (typeof value === 'bigint') {
    if (value < 0n || value > UINT64_MAX) invalidTimestamp(value);
    return { us: Number(value / 1000n), rem: Number(value % 1000n) };
  }
  if (typeof value === 'string') {
    if (!/^\d{1,20}$/.test(value)) invalidTimestamp(value);
    if (value.length <= 3) return { us: 0, rem: Number(value) };
    return { us: Number(value.slice(0, -3)), rem: Number(value.slice(-3)) };
  }
  // high * 2^32 + low, with 2^32 = 4294967 * 1000 + 296: exact while the microseconds fit 2^53.
  const high = value.high >>> 0;
  const low = high * 296 + (value.low >>> 0);
  const carry = Math.floor(low / 1000);
  return { us: high * 4294967 + carry, rem: low - carry * 1000 };
}

/** A span's start and end as truncated start/duration microseconds and their nanosecond parts. */
export function spanTimes(
  startRaw: Int64,
  endRaw: Int64,
): { startUs: number; startNsRem: number; durationUs: number; durationNsRem: number } {
  const start = splitNanos(startRaw);
  const end = splitNanos(endRaw);
  const durationNs = Math.max(0, (end.us - start.us) * 1000 + (end.rem - start.rem));
  const durationUs = Math.floor(durationNs / 1000);
  return {
    startUs: start.us,
    startNsRem: start.rem,
    durationUs,
    durationNsRem: durationNs - durationUs * 1000,
  };
}

function int64FromBigInt(n: bigint): number | bigint {
  if (n < INT64_MIN || n > INT64_MAX) throw new SpanRejection(`intValue ${n} is out of the int64 range`);
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
}

/** Signed int64 to a number when it is a safe integer, else to an exact bigint. */
export function int64Value(value: Int64): number | bigint {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value;
    // A JSON number beyond 2^53 arrives as a bigint (parseExact); a number here was written with
    // a fraction or exponent: only an integral one in range is an int64.
    if (!Number.isInteger(value)) throw new SpanRejection(`invalid intValue ${value}`);
    return int64FromBigInt(BigInt(value));
  }
  if (typeof value === 'bigint') return int64FromBigInt(value);
  if (typeof value === 'string') {
    if (!/^-?\d{1,20}$/.test(value)) throw new SpanRejection(`invalid intValue "${value.slice(0, 40)}"`);
    return int64FromBigInt(BigInt(value));
  }
  const n = value.high * TWO_POW_32 + (value.low >>> 0);
  if (Number.isSafeInteger(n)) return n;
  return (BigInt(value.high) << 32n) | BigInt(value.low >>> 0);
}

/** Copies the counts that are not 0 onto `target` (events and links omit zero counts). */
export function withNonZero<T extends object>(target: T, counts: Record<string, unknown>): T {
  for (const key in counts) {
    const n = toUint(counts[key]);
    if (n !== 0) (target as Record<string, unknown>)[key] = n;
  }
  return target;
}

/** A non-negative 32-bit count, 0 for anything else. */
export function toUint(value: unknown): number {
  return typeof value === 'number' && value > 0 ? value >>> 0 : 0;
}

// ---------------------------------------------------------------------------------------------
// Ids

const HEX_RE = /^[0-9a-fA-F]*$/;

/** Hex id from protobuf bytes of exactly `size` bytes (empty allowed when `optional`). */
export function idFromBytes(
  bytes: Uint8Array | null | undefined,
  size: number,
  what: string,
  optional: boolean,
): string {
  const length = bytes?.length ?? 0;
  if (length === 0 && optional) return '';
  if (length !== size) {
    throw new SpanRejection(`${what} must be ${size} bytes, got ${length}`);
  }
  const hex = Buffer.from((bytes as Uint8Array).buffer, (bytes as Uint8Array).byteOffset, size).toString(
    'hex',
  );
  if (!optional && /^0+$/.test(hex)) throw new SpanRejection(`${what} is all zeroes`);
  return hex;
}

/** Hex id from OTLP/JSON: hex of `size` bytes, or base64 of `size` bytes (protobuf JSON mapping). */
export function idFromJson(value: unknown, size: number, what: string, optional: boolean): string {
  if (value === undefined || value === null || value === '') {
    if (optional) return '';
    throw new SpanRejection(`${what} is missing`);
  }
  if (typeof value !== 'string') throw new SpanRejection(`${what} must be a hex string`);
  let hex: string;
  if (value.length === size * 2 && HEX_RE.test(value)) {
    hex = value.toLowerCase();
  } else {
    // The protobuf JSON mapping encodes bytes as base64; accept it when it decodes to the right size.
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length !== size || !/^[A-Za-z0-9+/_-]+=*$/.test(value)) {
      throw new SpanRejection(`${what} must be ${size * 2} hex characters, got "${value.slice(0, 40)}"`);
    }
    hex = bytes.toString('hex');
  }
  if (!optional && /^0+$/.test(hex)) throw new SpanRejection(`${what} is all zeroes`);
  return hex;
}

// ---------------------------------------------------------------------------------------------
// Enums (OTLP/JSON allows enum ints or names)

/** OTLP/JSON span kind enum names. */
export const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
/** OTLP/JSON status code enum names. */
export const STATUS_NAMES: Record<string, number> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

/** An enum given as int or name, within [0, max]. */
export function enumValue(raw: unknown, names: Record<string, number>, max: number, what: string): number {
  if (raw === undefined || raw === null) return 0;
  const n = typeof raw === 'string' ? (names[raw] ?? Number(raw)) : Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new SpanRejection(`invalid ${what} ${JSON.stringify(raw)}`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Common assembly

/** `service.name` of a resource, `unknown_service` when absent (as the SDKs default). */
export function serviceOf(attributes: Attributes): string {
  const name = attributes['service.name'];
  return typeof name === 'string' && name !== '' ? name : 'unknown_service';
}

/** Collects accepted groups and rejection counts of one request. */
export class BatchBuilder {
  readonly groups: SpanGroup[] = [];
  spanCount = 0;
  rejected = 0;
  readonly reasons: string[] = [];

  reject(reason: string): void {
    this.rejected++;
    if (this.reasons.length < MAX_REASONS && !this.reasons.includes(reason)) this.reasons.push(reason);
  }

  result(): DecodedBatch {
    return {
      groups: this.groups,
      spanCount: this.spanCount,
      rejected: this.rejected,
      rejectReasons: this.reasons,
    };
  }
}

/** Rejects spans with more attributes, events or links than the limits allow. */
export function checkCounts(attrs: number, events: number, links: number, limits: DecodeLimits): void {
  if (attrs > limits.maxAttributesPerSpan) {
    throw new SpanRejection(`span has ${attrs} attributes, the limit is ${limits.maxAttributesPerSpan}`);
  }
  if (events > limits.maxEventsPerSpan || links > limits.maxEventsPerSpan) {
    throw new SpanRejection(
      `span has ${events} events and ${links} links, the limit is ${limits.maxEventsPerSpan}`,
    );
  }
}

/** The message recorded for a rejected span. */
export function rejectReason(error: unknown): string {
  if (error instanceof SpanRejection) return error.message;
  return `invalid span: ${(error as Error)?.message ?? String(error)}`;
}

/**
 * What one wire format (protobuf, JSON) provides to {@link walkRequest}: the lists of a request
 * and the conversion of each level. `resource`, `scope` and `span` throw `SpanRejection` (or any
 * error) to reject the spans below them; the list accessors throw `InvalidPayloadError` for a
 * request that is not shaped like one.
 */
export interface RequestReader<RS, SS, S> {
  resourceSpans: readonly RS[];
  scopeSpans(rs: RS): readonly SS[];
  spans(ss: SS): readonly S[];
  resource(rs: RS): ResourceInfo;
  scope(ss: SS): ScopeInfo;
  span(s: S): SpanInput;
}

/**
 * Walks resource → scope → span, counting rejected spans (OTLP/JSON; OTLP/protobuf is read
 * straight from the wire by `decode-protobuf.ts` with the same rules).
 */
export function walkRequest<RS, SS, S>(reader: RequestReader<RS, SS, S>): DecodedBatch {
  const out = new BatchBuilder();
  for (const rs of reader.resourceSpans) {
    const scopeSpansList = reader.scopeSpans(rs);
    let resource: ResourceInfo;
    try {
      resource = reader.resource(rs);
    } catch (error) {
      for (const ss of scopeSpansList) for (const _ of reader.spans(ss)) out.reject(rejectReason(error));
      continue;
    }
    for (const ss of scopeSpansList) {
      const spansRaw = reader.spans(ss);
      let scope: ScopeInfo;
      try {
        scope = reader.scope(ss);
      } catch (error) {
        for (const _ of spansRaw) out.reject(rejectReason(error));
        continue;
      }
      const spans: SpanInput[] = [];
      for (const s of spansRaw) {
        try {
          spans.push(reader.span(s));
        } catch (error) {
          out.reject(rejectReason(error));
        }
      }
      if (spans.length > 0) {
        out.groups.push({ resource, scope, spans });
        out.spanCount += spans.length;
      }
    }
  }
  return out.result();
}
