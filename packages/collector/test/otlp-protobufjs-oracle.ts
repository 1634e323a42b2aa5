/*
 * The protobuf decoder the collector used before its wire reader: protobufjs objects walked by the
 * shared resource → scope → span walker. Kept as the test oracle of `decodeProtobufRequest`
 * (otlp-wire-differential.test.ts): both must give the same batch for the same bytes.
 */
import { isUtf8 } from 'node:buffer';
import { InvalidPayloadError } from '../src/errors.js';
import {
  type Attributes,
  type AttrValue,
  bytesAttr,
  type DecodedBatch,
  doubleAttr,
  type ResourceInfo,
  type ScopeInfo,
  type SpanEvent,
  type SpanInput,
  type SpanLink,
} from '../src/model.js';
import {
  checkCounts,
  DEFAULT_DECODE_LIMITS,
  type DecodeLimits,
  enumValue,
  type Int64,
  idFromBytes,
  int64Value,
  KIND_NAMES,
  type RequestReader,
  SpanRejection,
  STATUS_NAMES,
  serviceOf,
  spanTimes,
  splitNanos,
  toUint,
  walkRequest,
  withNonZero,
} from '../src/otlp/decode-common.js';
import { ExportTraceServiceRequest, ExportTraceServiceRequestRaw } from '../src/otlp/schema.js';

// String fields arrive as strings (fast path) or as bytes (ExportTraceServiceRequestRaw).
type PbText = string | Uint8Array | null | undefined;
/** Converts a string field to text, throwing `SpanRejection` when it is not valid UTF-8. */
type TextReader = (value: PbText, where: string) => string;

const REPLACEMENT_CHAR = '\uFFFD';

interface PbAnyValue {
  value?: string;
  stringValue?: PbText;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number;
  arrayValue?: { values?: PbAnyValue[] };
  kvlistValue?: { values?: PbKeyValue[] };
  bytesValue?: Uint8Array;
}
interface PbKeyValue {
  key?: PbText;
  value?: PbAnyValue | null;
}

/** Text of a string field read as bytes: invalid UTF-8 rejects the span, a real U+FFFD passes. */
const textFromBytes: TextReader = (bytes, where) => {
  if (!bytes || bytes.length === 0) return '';
  if (typeof bytes === 'string') return bytes;
  if (!isUtf8(bytes)) throw new SpanRejection(`invalid UTF-8 in ${where}`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
};

function pbValue(v: PbAnyValue | null | undefined, depth: number, text: TextReader): AttrValue {
  if (!v || depth > 8) return null;
  switch (v.value) {
    case 'stringValue':
      return text(v.stringValue, 'a string value');
    case 'boolValue':
      return v.boolValue === true;
    case 'intValue':
      return int64Value(v.intValue);
    case 'doubleValue':
      return doubleAttr(v.doubleValue ?? 0);
    case 'arrayValue':
      return (v.arrayValue?.values ?? []).map((x) => pbValue(x, depth + 1, text));
    case 'kvlistValue': {
      const out: Record<string, AttrValue> = {};
      for (const kv of v.kvlistValue?.values ?? [])
        own(out, text(kv.key, 'a key/value list key'), pbValue(kv.value, depth + 1, text));
      return out;
    }
    case 'bytesValue':
      return bytesAttr(v.bytesValue ?? new Uint8Array(0));
    default:
      return null;
  }
}

/** Every key an own property, `__proto__` included (as JSON.parse makes it). */
function own(out: Attributes, key: string, value: AttrValue): void {
  Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
}

function pbAttributes(list: PbKeyValue[] | null | undefined, text: TextReader): Attributes {
  const out: Attributes = {};
  if (!list) return out;
  for (let i = 0; i < list.length; i++) {
    const kv = list[i] as PbKeyValue;
    const key = text(kv.key, 'an attribute key');
    own(out, key, pbValue(kv.value, 0, text));
  }
  return out;
}

interface PbSpan {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  traceState?: PbText;
  parentSpanId?: Uint8Array;
  name?: PbText;
  kind?: number;
  startTimeUnixNano?: Int64;
  endTimeUnixNano?: Int64;
  attributes?: PbKeyValue[];
  droppedAttributesCount?: number;
  events?: {
    timeUnixNano?: Int64;
    name?: PbText;
    attributes?: PbKeyValue[];
    droppedAttributesCount?: number;
  }[];
  droppedEventsCount?: number;
  links?: {
    traceId?: Uint8Array;
    spanId?: Uint8Array;
    traceState?: PbText;
    attributes?: PbKeyValue[];
    droppedAttributesCount?: number;
    flags?: number;
  }[];
  droppedLinksCount?: number;
  status?: { message?: PbText; code?: number } | null;
  flags?: number;
}
interface PbScopeSpans {
  scope?: {
    name?: PbText;
    version?: PbText;
    attributes?: PbKeyValue[];
    droppedAttributesCount?: number;
  } | null;
  spans?: PbSpan[];
  schemaUrl?: PbText;
}
interface PbResourceSpans {
  resource?: { attributes?: PbKeyValue[]; droppedAttributesCount?: number } | null;
  scopeSpans?: PbScopeSpans[];
  schemaUrl?: PbText;
}

function pbSpan(s: PbSpan, limits: DecodeLimits, text: TextReader): SpanInput {
  const attrList = s.attributes ?? [];
  const events = s.events ?? [];
  const links = s.links ?? [];
  checkCounts(attrList.length, events.length, links.length, limits);
  const times = spanTimes(s.startTimeUnixNano, s.endTimeUnixNano);
  const span: SpanInput = {
    traceId: idFromBytes(s.traceId, 16, 'trace_id', false),
    spanId: idFromBytes(s.spanId, 8, 'span_id', false),
    parentSpanId: idFromBytes(s.parentSpanId, 8, 'parent_span_id', true),
    traceState: text(s.traceState, 'the trace state'),
    name: text(s.name, 'the span name'),
    kind: enumValue(s.kind, KIND_NAMES, 5, 'span kind'),
    startUs: times.startUs,
    durationUs: times.durationUs,
    startNsRem: times.startNsRem,
    durationNsRem: times.durationNsRem,
    statusCode: enumValue(s.status?.code, STATUS_NAMES, 2, 'status code'),
    statusMessage: text(s.status?.message, 'the status message'),
    attributes: pbAttributes(attrList, text),
    events: events.map((e): SpanEvent => {
      const t = splitNanos(e.timeUnixNano);
      const event: SpanEvent = {
        timeUs: t.us,
        timeNsRem: t.rem,
        name: text(e.name, 'an event name'),
        attributes: pbAttributes(e.attributes, text),
      };
      return withNonZero(event, { droppedAttributesCount: e.droppedAttributesCount });
    }),
    links: links.map((l) =>
      withNonZero<SpanLink>(
        {
          traceId: idFromBytes(l.traceId, 16, 'link trace_id', false),
          spanId: idFromBytes(l.spanId, 8, 'link span_id', false),
          traceState: text(l.traceState, 'a link trace state') || undefined,
          attributes: pbAttributes(l.attributes, text),
        },
        { flags: l.flags, droppedAttributesCount: l.droppedAttributesCount },
      ),
    ),
    flags: toUint(s.flags),
    droppedAttributesCount: toUint(s.droppedAttributesCount),
    droppedEventsCount: toUint(s.droppedEventsCount),
    droppedLinksCount: toUint(s.droppedLinksCount),
  };
  return span;
}

function protobufReader(
  resourceSpans: PbResourceSpans[],
  limits: DecodeLimits,
  text: TextReader,
): RequestReader<PbResourceSpans, PbScopeSpans, PbSpan> {
  return {
    resourceSpans,
    scopeSpans: (rs) => rs.scopeSpans ?? [],
    spans: (ss) => ss.spans ?? [],
    resource: (rs): ResourceInfo => {
      const attributes = pbAttributes(rs.resource?.attributes, text);
      const resource: ResourceInfo = {
        serviceName: serviceOf(attributes),
        attributes,
        schemaUrl: text(rs.schemaUrl, 'the resource schema URL'),
      };
      return withNonZero(resource, { droppedAttributesCount: rs.resource?.droppedAttributesCount });
    },
    scope: (ss): ScopeInfo =>
      withNonZero<ScopeInfo>(
        {
          name: text(ss.scope?.name, 'the scope name'),
          version: text(ss.scope?.version, 'the scope version'),
          attributes: pbAttributes(ss.scope?.attributes, text),
          schemaUrl: text(ss.schemaUrl, 'the scope schema URL'),
        },
        { droppedAttributesCount: ss.scope?.droppedAttributesCount },
      ),
    span: (s) => pbSpan(s, limits, text),
  };
}

function decodeWith(type: typeof ExportTraceServiceRequest, body: Uint8Array): PbResourceSpans[] {
  try {
    return (type.decode(body) as unknown as { resourceSpans?: PbResourceSpans[] }).resourceSpans ?? [];
  } catch (error) {
    throw new InvalidPayloadError(
      `malformed protobuf ExportTraceServiceRequest: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Decodes a binary `ExportTraceServiceRequest`. Throws `InvalidPayloadError` when the bytes are not
 * a valid message; spans that fail validation are counted in `rejected` instead.
 *
 * protobufjs decodes invalid UTF-8 to U+FFFD, which a sender may also send on purpose. The fast
 * path decodes strings as usual; only when a U+FFFD shows up is the request decoded again with
 * string fields as bytes, so each string's own bytes decide (`isUtf8`).
 */
export function decodeWithProtobufjs(
  body: Uint8Array,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): DecodedBatch {
  let sawReplacement = false;
  const textFromString: TextReader = (value) => {
    if (typeof value !== 'string') return value ? textFromBytes(value, '') : '';
    if (value.includes(REPLACEMENT_CHAR)) sawReplacement = true;
    return value;
  };
  const batch = walkRequest(
    protobufReader(decodeWith(ExportTraceServiceRequest, body), limits, textFromString),
  );
  if (!sawReplacement) return batch;
  return walkRequest(protobufReader(decodeWith(ExportTraceServiceRequestRaw, body), limits, textFromBytes));
}
