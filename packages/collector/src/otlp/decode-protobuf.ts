import { isUtf8 } from 'node:buffer';
import { InvalidPayloadError } from '../errors.js';
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
} from '../model.js';
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
} from './decode-common.js';
import { ExportTraceServiceRequestRaw } from './schema.js';

// String fields arrive as bytes (see ExportTraceServiceRequestRaw).
type PbText = Uint8Array | null | undefined;

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

/** UTF-8 text of a string field; invalid UTF-8 rejects the span. */
function text(bytes: PbText, where: string): string {
  if (!bytes || bytes.length === 0) return '';
  if (!isUtf8(bytes)) throw new SpanRejection(`invalid UTF-8 in ${where}`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function pbValue(v: PbAnyValue | null | undefined, depth: number): AttrValue {
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
      return (v.arrayValue?.values ?? []).map((x) => pbValue(x, depth + 1));
    case 'kvlistValue': {
      const out: Record<string, AttrValue> = {};
      for (const kv of v.kvlistValue?.values ?? [])
        out[text(kv.key, 'a key/value list key')] = pbValue(kv.value, depth + 1);
      return out;
    }
    case 'bytesValue':
      return bytesAttr(v.bytesValue ?? new Uint8Array(0));
    default:
      return null;
  }
}

function pbAttributes(list: PbKeyValue[] | null | undefined, doubles: string[] | null): Attributes {
  const out: Attributes = {};
  if (!list) return out;
  for (let i = 0; i < list.length; i++) {
    const kv = list[i] as PbKeyValue;
    const key = text(kv.key, 'an attribute key');
    const value = pbValue(kv.value, 0);
    out[key] = value;
    if (doubles && kv.value?.value === 'doubleValue' && Number.isInteger(value)) doubles.push(key);
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
  events?: { timeUnixNano?: Int64; name?: PbText; attributes?: PbKeyValue[] }[];
  droppedEventsCount?: number;
  links?: { traceId?: Uint8Array; spanId?: Uint8Array; traceState?: PbText; attributes?: PbKeyValue[] }[];
  droppedLinksCount?: number;
  status?: { message?: PbText; code?: number } | null;
  flags?: number;
}
interface PbScopeSpans {
  scope?: { name?: PbText; version?: PbText; attributes?: PbKeyValue[] } | null;
  spans?: PbSpan[];
  schemaUrl?: PbText;
}
interface PbResourceSpans {
  resource?: { attributes?: PbKeyValue[] } | null;
  scopeSpans?: PbScopeSpans[];
  schemaUrl?: PbText;
}

function pbSpan(s: PbSpan, limits: DecodeLimits): SpanInput {
  const attrList = s.attributes ?? [];
  const events = s.events ?? [];
  const links = s.links ?? [];
  checkCounts(attrList.length, events.length, links.length, limits);
  const doubles: string[] = [];
  const span: SpanInput = {
    traceId: idFromBytes(s.traceId, 16, 'trace_id', false),
    spanId: idFromBytes(s.spanId, 8, 'span_id', false),
    parentSpanId: idFromBytes(s.parentSpanId, 8, 'parent_span_id', true),
    traceState: text(s.traceState, 'the trace state'),
    name: text(s.name, 'the span name'),
    kind: enumValue(s.kind, KIND_NAMES, 5, 'span kind'),
    ...spanTimes(s.startTimeUnixNano, s.endTimeUnixNano),
    statusCode: enumValue(s.status?.code, STATUS_NAMES, 2, 'status code'),
    statusMessage: text(s.status?.message, 'the status message'),
    attributes: pbAttributes(attrList, doubles),
    events: events.map((e): SpanEvent => {
      const t = splitNanos(e.timeUnixNano);
      return {
        timeUs: t.us,
        timeNsRem: t.rem,
        name: text(e.name, 'an event name'),
        attributes: pbAttributes(e.attributes, null),
      };
    }),
    links: links.map(
      (l): SpanLink => ({
        traceId: idFromBytes(l.traceId, 16, 'link trace_id', false),
        spanId: idFromBytes(l.spanId, 8, 'link span_id', false),
        traceState: text(l.traceState, 'a link trace state') || undefined,
        attributes: pbAttributes(l.attributes, null),
      }),
    ),
    flags: toUint(s.flags),
    droppedAttributesCount: toUint(s.droppedAttributesCount),
    droppedEventsCount: toUint(s.droppedEventsCount),
    droppedLinksCount: toUint(s.droppedLinksCount),
  };
  if (doubles.length > 0) span.doubleKeys = doubles;
  return span;
}

function protobufReader(
  resourceSpans: PbResourceSpans[],
  limits: DecodeLimits,
): RequestReader<PbResourceSpans, PbScopeSpans, PbSpan> {
  return {
    resourceSpans,
    scopeSpans: (rs) => rs.scopeSpans ?? [],
    spans: (ss) => ss.spans ?? [],
    resource: (rs): ResourceInfo => {
      const attributes = pbAttributes(rs.resource?.attributes, null);
      return {
        serviceName: serviceOf(attributes),
        attributes,
        schemaUrl: text(rs.schemaUrl, 'the resource schema URL'),
      };
    },
    scope: (ss): ScopeInfo => ({
      name: text(ss.scope?.name, 'the scope name'),
      version: text(ss.scope?.version, 'the scope version'),
      attributes: pbAttributes(ss.scope?.attributes, null),
      schemaUrl: text(ss.schemaUrl, 'the scope schema URL'),
    }),
    span: (s) => pbSpan(s, limits),
  };
}

/**
 * Decodes a binary `ExportTraceServiceRequest`. Throws `InvalidPayloadError` when the bytes are not
 * a valid message; spans that fail validation are counted in `rejected` instead.
 */
export function decodeProtobufRequest(
  body: Uint8Array,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): DecodedBatch {
  let request: { resourceSpans?: PbResourceSpans[] };
  try {
    request = ExportTraceServiceRequestRaw.decode(body) as unknown as { resourceSpans?: PbResourceSpans[] };
  } catch (error) {
    throw new InvalidPayloadError(
      `malformed protobuf ExportTraceServiceRequest: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return walkRequest(protobufReader(request.resourceSpans ?? [], limits));
}
