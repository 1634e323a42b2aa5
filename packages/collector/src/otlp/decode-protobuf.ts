import { InvalidPayloadError } from '../errors.js';
import type {
  Attributes,
  AttrValue,
  DecodedBatch,
  ResourceInfo,
  ScopeInfo,
  SpanEvent,
  SpanInput,
  SpanLink,
} from '../model.js';
import {
  BatchBuilder,
  checkCounts,
  checkText,
  DEFAULT_DECODE_LIMITS,
  type DecodeLimits,
  enumValue,
  type Int64,
  idFromBytes,
  int64Value,
  KIND_NAMES,
  nanosToMicros,
  rejectReason,
  STATUS_NAMES,
  serviceOf,
  toUint,
} from './decode-common.js';
import { ExportTraceServiceRequest } from './schema.js';

interface PbAnyValue {
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number;
  arrayValue?: { values?: PbAnyValue[] };
  kvlistValue?: { values?: PbKeyValue[] };
  bytesValue?: Uint8Array;
}
interface PbKeyValue {
  key?: string;
  value?: PbAnyValue | null;
}

function pbValue(v: PbAnyValue | null | undefined, depth: number): AttrValue {
  if (!v || depth > 8) return null;
  switch (v.value) {
    case 'stringValue':
      return checkText(v.stringValue ?? '', 'a string value');
    case 'boolValue':
      return v.boolValue === true;
    case 'intValue':
      return int64Value(v.intValue);
    case 'doubleValue':
      return v.doubleValue ?? 0;
    case 'arrayValue':
      return (v.arrayValue?.values ?? []).map((x) => pbValue(x, depth + 1));
    case 'kvlistValue': {
      const out: Record<string, AttrValue> = {};
      for (const kv of v.kvlistValue?.values ?? []) out[kv.key ?? ''] = pbValue(kv.value, depth + 1);
      return out;
    }
    case 'bytesValue':
      return Buffer.from(v.bytesValue ?? []).toString('base64');
    default:
      return null;
  }
}

function pbAttributes(list: PbKeyValue[] | null | undefined, doubles: string[] | null): Attributes {
  const out: Attributes = {};
  if (!list) return out;
  for (let i = 0; i < list.length; i++) {
    const kv = list[i] as PbKeyValue;
    const key = checkText(kv.key ?? '', 'an attribute key');
    const value = pbValue(kv.value, 0);
    out[key] = value;
    if (doubles && kv.value?.value === 'doubleValue' && Number.isInteger(value)) doubles.push(key);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Protobuf

interface PbSpan {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  traceState?: string;
  parentSpanId?: Uint8Array;
  name?: string;
  kind?: number;
  startTimeUnixNano?: Int64;
  endTimeUnixNano?: Int64;
  attributes?: PbKeyValue[];
  droppedAttributesCount?: number;
  events?: { timeUnixNano?: Int64; name?: string; attributes?: PbKeyValue[] }[];
  droppedEventsCount?: number;
  links?: { traceId?: Uint8Array; spanId?: Uint8Array; traceState?: string; attributes?: PbKeyValue[] }[];
  droppedLinksCount?: number;
  status?: { message?: string; code?: number } | null;
  flags?: number;
}
interface PbRequest {
  resourceSpans?: {
    resource?: { attributes?: PbKeyValue[] } | null;
    scopeSpans?: {
      scope?: { name?: string; version?: string; attributes?: PbKeyValue[] } | null;
      spans?: PbSpan[];
    }[];
  }[];
}

function pbSpan(s: PbSpan, limits: DecodeLimits): SpanInput {
  const attrList = s.attributes ?? [];
  const events = s.events ?? [];
  const links = s.links ?? [];
  checkCounts(attrList.length, events.length, links.length, limits);
  const startUs = nanosToMicros(s.startTimeUnixNano);
  const endUs = nanosToMicros(s.endTimeUnixNano);
  const doubles: string[] = [];
  const span: SpanInput = {
    traceId: idFromBytes(s.traceId, 16, 'trace_id', false),
    spanId: idFromBytes(s.spanId, 8, 'span_id', false),
    parentSpanId: idFromBytes(s.parentSpanId, 8, 'parent_span_id', true),
    traceState: s.traceState ?? '',
    name: checkText(s.name ?? '', 'the span name'),
    kind: enumValue(s.kind, KIND_NAMES, 5, 'span kind'),
    startUs,
    durationUs: Math.max(0, endUs - startUs),
    statusCode: enumValue(s.status?.code, STATUS_NAMES, 2, 'status code'),
    statusMessage: checkText(s.status?.message ?? '', 'the status message'),
    attributes: pbAttributes(attrList, doubles),
    events: events.map(
      (e): SpanEvent => ({
        timeUs: nanosToMicros(e.timeUnixNano),
        name: checkText(e.name ?? '', 'an event name'),
        attributes: pbAttributes(e.attributes, null),
      }),
    ),
    links: links.map(
      (l): SpanLink => ({
        traceId: idFromBytes(l.traceId, 16, 'link trace_id', false),
        spanId: idFromBytes(l.spanId, 8, 'link span_id', false),
        traceState: l.traceState || undefined,
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

/**
 * Decodes a binary `ExportTraceServiceRequest`. Throws `InvalidPayloadError` when the bytes are not
 * a valid message; spans that fail validation are counted in `rejected` instead.
 */
export function decodeProtobufRequest(
  body: Uint8Array,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): DecodedBatch {
  let request: PbRequest;
  try {
    request = ExportTraceServiceRequest.decode(body) as unknown as PbRequest;
  } catch (error) {
    throw new InvalidPayloadError(
      `malformed protobuf ExportTraceServiceRequest: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const out = new BatchBuilder();
  for (const rs of request.resourceSpans ?? []) {
    let resource: ResourceInfo;
    try {
      const attributes = pbAttributes(rs.resource?.attributes, null);
      resource = { serviceName: serviceOf(attributes), attributes };
    } catch (error) {
      for (const ss of rs.scopeSpans ?? []) for (const _ of ss.spans ?? []) out.reject(rejectReason(error));
      continue;
    }
    for (const ss of rs.scopeSpans ?? []) {
      let scope: ScopeInfo;
      try {
        scope = {
          name: checkText(ss.scope?.name ?? '', 'the scope name'),
          version: checkText(ss.scope?.version ?? '', 'the scope version'),
          attributes: pbAttributes(ss.scope?.attributes, null),
        };
      } catch (error) {
        for (const _ of ss.spans ?? []) out.reject(rejectReason(error));
        continue;
      }
      const spans: SpanInput[] = [];
      for (const s of ss.spans ?? []) {
        try {
          spans.push(pbSpan(s, limits));
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
