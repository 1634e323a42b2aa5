/**
 * A typed attribute value. OTLP `int64` is a `number` when it is a safe integer, else a `bigint`
 * (never through a double); a `double` is a `number` when it has a fraction, else (5.0, NaN,
 * ±Infinity) a {@link DOUBLE_TAG} object, so it is never mistaken for an int; bytes are a
 * {@link BYTES_TAG} object. In the store the JSON keeps bigints and integral doubles as numeric
 * literals (`9223372036854775807`, `5.0`), so SQLite compares them as numbers.
 */
export type AttrValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | AttrValue[]
  | { [key: string]: AttrValue };

/*
 * Tags start with a lone surrogate (U+D800): no valid OTLP string holds one (the decoders reject
 * them as invalid UTF-8), so a tagged value cannot be confused with a key/value list.
 */
/** Key of a bytes value: `{ [BYTES_TAG]: base64 }`. */
export const BYTES_TAG = '\uD800bytes';
/** Key of a double without a fraction: `{ [DOUBLE_TAG]: 5 | 'NaN' | 'Infinity' | '-Infinity' }`. */
export const DOUBLE_TAG = '\uD800double';
/** Key holding a resource's or scope's `schema_url` inside its stored attribute JSON. */
export const SCHEMA_URL_TAG = '\uD800schemaUrl';
/** Key holding a resource's or scope's `dropped_attributes_count` inside its stored attribute JSON. */
export const DROPPED_TAG = '\uD800dropped';

/** A bytes value as stored (base64). */
export function bytesAttr(bytes: Uint8Array): AttrValue {
  return { [BYTES_TAG]: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

/** A double as an attribute value: with a fraction a number, else tagged (5.0, -0.0, NaN, ±Infinity). */
export function doubleAttr(n: number): AttrValue {
  if (Number.isFinite(n)) return Number.isInteger(n) ? { [DOUBLE_TAG]: n } : n;
  return { [DOUBLE_TAG]: Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity' };
}

/** The base64 text of a bytes value, or undefined for anything else. */
export function bytesOf(value: AttrValue): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const b = value[BYTES_TAG];
  return typeof b === 'string' ? b : undefined;
}

/**
 * The value of a tagged double: the number for an integral one, `'NaN' | 'Infinity' | '-Infinity'`
 * for a non-finite one; undefined for anything else.
 */
export function taggedDoubleOf(value: AttrValue): number | string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const d = value[DOUBLE_TAG];
  return typeof d === 'string' || typeof d === 'number' ? d : undefined;
}

/** Attributes by key. */
export type Attributes = Record<string, AttrValue>;

/**
 * Sets the attribute `key` of `out` to `value`. Keys come from the wire: plain assignment of
 * `__proto__` would set the object's prototype instead (losing the attribute, and letting a
 * key/value list value make any other key appear present), so that one key becomes an own
 * property, as JSON.parse makes it.
 */
export function putAttribute(out: Attributes, key: string, value: AttrValue): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

/** A span event (`Span.Event`), time in microseconds since the epoch (truncated). */
export interface SpanEvent {
  timeUs: number;
  /** Nanoseconds past `timeUs` (0–999). */
  timeNsRem?: number;
  name: string;
  attributes: Attributes;
  /** Absent when 0. */
  droppedAttributesCount?: number;
}

/** A span link (`Span.Link`). */
export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: Attributes;
  /** `Span.Link.flags` (W3C trace flags and the parent-is-remote bits); absent when 0. */
  flags?: number;
  /** Absent when 0. */
  droppedAttributesCount?: number;
}

/** The producing resource of a group of spans. */
export interface ResourceInfo {
  serviceName: string;
  attributes: Attributes;
  /** `ResourceSpans.schema_url` ('' when absent). */
  schemaUrl?: string;
  /** Absent when 0. */
  droppedAttributesCount?: number;
}

/** The instrumentation scope of a group of spans. */
export interface ScopeInfo {
  name: string;
  version: string;
  attributes: Attributes;
  /** `ScopeSpans.schema_url` ('' when absent). */
  schemaUrl?: string;
  /** Absent when 0. */
  droppedAttributesCount?: number;
}

/**
 * One span after decoding and validation: ids are lowercase hex. Times are microseconds truncated
 * (as Jaeger shows them) plus the nanoseconds past them, so nothing of OTLP's nanoseconds is lost.
 */
export interface SpanInput {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  /** OTLP SpanKind number: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startUs: number;
  /** Duration in microseconds, truncated: `floor((end_ns - start_ns) / 1000)`. */
  durationUs: number;
  /** Nanoseconds past `startUs` (0–999; absent = 0). */
  startNsRem?: number;
  /** Nanoseconds past `durationUs` (0–999; absent = 0). */
  durationNsRem?: number;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  attributes: Attributes;
  /**
   * Keys whose value is an integral double stored as a plain number: rows of schema 1 (the
   * decoders now tag such doubles, see {@link DOUBLE_TAG}).
   */
  doubleKeys?: string[];
  events: SpanEvent[];
  links: SpanLink[];
  flags: number;
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
}

/** A group of spans sharing a resource and scope. */
export interface SpanGroup {
  resource: ResourceInfo;
  scope: ScopeInfo;
  spans: SpanInput[];
}

/** The decoded content of one export request. */
export interface DecodedBatch {
  groups: SpanGroup[];
  spanCount: number;
  /** Spans rejected during validation (wrong id length, too many attributes, invalid UTF-8). */
  rejected: number;
  /** First rejection reasons (at most a few), for `partial_success.error_message`. */
  rejectReasons: string[];
}

/** A stored span as read back. */
export interface StoredSpan extends SpanInput {
  serviceName: string;
  resourceAttributes: Attributes;
  /** `ResourceSpans.schema_url` ('' when absent). */
  resourceSchemaUrl?: string;
  /** The resource's `dropped_attributes_count` (absent when 0). */
  resourceDroppedAttributesCount?: number;
  scope: ScopeInfo;
}

/** Trace summary, the row of a search result. Times in microseconds. */
export interface TraceSummary {
  traceID: string;
  rootService: string;
  rootOperation: string;
  startTime: number;
  duration: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

/** Span kind names by OTLP number, as Jaeger spells them. */
export const SPAN_KIND_NAMES: readonly string[] = [
  'unspecified',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];
