/** A typed attribute value as stored: JSON-compatible; int64 outside the safe range is kept as a decimal string. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };

/** Attributes by key. */
export type Attributes = Record<string, AttrValue>;

/** A span event (`Span.Event`), time in microseconds since the epoch. */
export interface SpanEvent {
  timeUs: number;
  name: string;
  attributes: Attributes;
}

/** A span link (`Span.Link`). */
export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: Attributes;
}

/** The producing resource of a group of spans. */
export interface ResourceInfo {
  serviceName: string;
  attributes: Attributes;
}

/** The instrumentation scope of a group of spans. */
export interface ScopeInfo {
  name: string;
  version: string;
  attributes: Attributes;
}

/** One span after decoding and validation: ids are lowercase hex, times in microseconds. */
export interface SpanInput {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  /** OTLP SpanKind number: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startUs: number;
  durationUs: number;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  attributes: Attributes;
  /** Keys whose value is a double that happens to be integral (JSON cannot tell 5.0 from 5). */
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
