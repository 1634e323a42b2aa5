import type { Attributes, DecodedBatch, SpanGroup } from '../model.js';

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

// protobufjs returns 64-bit integers as Long objects (the `long` package is installed) or numbers.
interface LongLike {
  low: number;
  high: number;
  toString(): string;
}
/** A 64-bit integer as protobufjs (Long or number) or OTLP/JSON (string or number) gives it. */
export type Int64 = number | LongLike | string | null | undefined;

/** Rejects the span when a decoded string carries U+FFFD, the mark of invalid UTF-8. */
export function checkText(value: string, where: string): string {
  if (value.includes(REPLACEMENT_CHAR)) {
    throw new SpanRejection(`invalid UTF-8 in ${where}`);
  }
  return value;
}

/** Unsigned nanoseconds (fixed64) to microseconds, rounded. */
export function nanosToMicros(value: Int64): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return Math.round(value / 1000);
  if (typeof value === 'string') {
    if (!/^\d+$/.test(value)) throw new SpanRejection(`invalid timestamp "${value.slice(0, 40)}"`);
    if (value.length <= 3) return Math.round(Number(value) / 1000);
    return Math.round(Number(value.slice(0, -3)) + Number(value.slice(-3)) / 1000);
  }
  return Math.round((value.high >>> 0) * (TWO_POW_32 / 1000) + (value.low >>> 0) / 1000);
}

/** Signed int64 to a number when exact, else to its decimal string. */
export function int64Value(value: Int64): number | string {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const n = Number(value);
    if (!/^-?\d+$/.test(value)) throw new SpanRejection(`invalid intValue "${value.slice(0, 40)}"`);
    return Number.isSafeInteger(n) ? n : value;
  }
  const n = value.high * TWO_POW_32 + (value.low >>> 0);
  return Number.isSafeInteger(n) ? n : value.toString();
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
