import { isUtf8 } from 'node:buffer';
import { InvalidPayloadError } from '../errors.js';
import { parseExact } from '../json-exact.js';
import {
  type Attributes,
  type AttrValue,
  BYTES_TAG,
  type DecodedBatch,
  doubleAttr,
  putAttribute,
  type ResourceInfo,
  type ScopeInfo,
  type SpanEvent,
  type SpanInput,
  type SpanLink,
} from '../model.js';
import {
  checkCounts,
  checkText,
  DEFAULT_DECODE_LIMITS,
  type DecodeLimits,
  enumValue,
  type Int64,
  idFromJson,
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
} from './decode-common.js';

interface JsonAnyValue {
  stringValue?: unknown;
  boolValue?: unknown;
  intValue?: unknown;
  doubleValue?: unknown;
  arrayValue?: { values?: unknown };
  kvlistValue?: { values?: unknown };
  bytesValue?: unknown;
}

function jsonValue(raw: unknown, depth: number, t: TextCheck): AttrValue {
  if (!raw || typeof raw !== 'object' || depth > 8) return null;
  const v = raw as JsonAnyValue;
  if (v.stringValue !== undefined) return t(String(v.stringValue), 'a string value');
  if (v.boolValue !== undefined) return v.boolValue === true || v.boolValue === 'true';
  if (v.intValue !== undefined) return int64Value(v.intValue as Int64);
  if (v.doubleValue !== undefined) return jsonDouble(v.doubleValue);
  if (v.arrayValue !== undefined) {
    const values = Array.isArray(v.arrayValue?.values) ? (v.arrayValue.values as unknown[]) : [];
    return values.map((x) => jsonValue(x, depth + 1, t));
  }
  if (v.kvlistValue !== undefined) {
    const out: Record<string, AttrValue> = {};
    const values = Array.isArray(v.kvlistValue?.values) ? (v.kvlistValue.values as unknown[]) : [];
    for (const kv of values) {
      const k = kv as { key?: unknown; value?: unknown };
      putAttribute(out, t(String(k.key ?? ''), 'a key/value list key'), jsonValue(k.value, depth + 1, t));
    }
    return out;
  }
  if (v.bytesValue !== undefined) return jsonBytes(v.bytesValue);
  return null;
}

/** Checks decoded text (see `checkText`); bound to whether the body was valid UTF-8. */
type TextCheck = (value: string, where: string) => string;

// The protobuf JSON mapping writes NaN and ±Infinity as strings; numbers may also be strings.
function jsonDouble(raw: unknown): AttrValue {
  const n = typeof raw === 'bigint' ? Number(raw) : Number(raw);
  if (
    (typeof raw !== 'number' && typeof raw !== 'string' && typeof raw !== 'bigint') ||
    (typeof raw === 'string' && !/^(?:NaN|-?Infinity|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)$/.test(raw))
  ) {
    throw new SpanRejection(`invalid doubleValue ${JSON.stringify(String(raw)).slice(0, 40)}`);
  }
  return doubleAttr(n);
}

// bytes in the protobuf JSON mapping: standard or URL-safe base64, padding optional.
function jsonBytes(raw: unknown): AttrValue {
  if (typeof raw !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(raw)) {
    throw new SpanRejection('bytesValue must be base64');
  }
  return { [BYTES_TAG]: Buffer.from(raw, 'base64').toString('base64') };
}

function jsonAttributes(list: unknown, t: TextCheck): Attributes {
  const out: Attributes = {};
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new SpanRejection('attributes must be an array');
  for (const item of list) {
    const kv = item as { key?: unknown; value?: JsonAnyValue };
    const key = t(String(kv?.key ?? ''), 'an attribute key');
    putAttribute(out, key, jsonValue(kv?.value, 0, t));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON

function asArray(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidPayloadError(`${what} must be an array`);
  return value;
}

function jsonSpan(raw: unknown, limits: DecodeLimits, t: TextCheck): SpanInput {
  if (!raw || typeof raw !== 'object') throw new SpanRejection('span must be an object');
  const s = raw as Record<string, unknown>;
  const attrList = s.attributes;
  const events = Array.isArray(s.events) ? (s.events as Record<string, unknown>[]) : [];
  const links = Array.isArray(s.links) ? (s.links as Record<string, unknown>[]) : [];
  checkCounts(Array.isArray(attrList) ? attrList.length : 0, events.length, links.length, limits);
  const status = (s.status ?? {}) as Record<string, unknown>;
  const span: SpanInput = {
    traceId: idFromJson(s.traceId, 16, 'traceId', false),
    spanId: idFromJson(s.spanId, 8, 'spanId', false),
    parentSpanId: idFromJson(s.parentSpanId, 8, 'parentSpanId', true),
    traceState: typeof s.traceState === 'string' ? t(s.traceState, 'the trace state') : '',
    name: t(String(s.name ?? ''), 'the span name'),
    kind: enumValue(s.kind, KIND_NAMES, 5, 'span kind'),
    ...spanTimes(s.startTimeUnixNano as Int64, s.endTimeUnixNano as Int64),
    statusCode: enumValue(status.code, STATUS_NAMES, 2, 'status code'),
    statusMessage: t(String(status.message ?? ''), 'the status message'),
    attributes: jsonAttributes(attrList, t),
    events: events.map((e): SpanEvent => {
      const time = splitNanos(e?.timeUnixNano as Int64);
      const event: SpanEvent = {
        timeUs: time.us,
        timeNsRem: time.rem,
        name: t(String(e?.name ?? ''), 'an event name'),
        attributes: jsonAttributes(e?.attributes, t),
      };
      return withNonZero(event, { droppedAttributesCount: e?.droppedAttributesCount });
    }),
    links: links.map((l) =>
      withNonZero<SpanLink>(
        {
          traceId: idFromJson(l?.traceId, 16, 'link traceId', false),
          spanId: idFromJson(l?.spanId, 8, 'link spanId', false),
          traceState:
            typeof l?.traceState === 'string' && l.traceState
              ? t(l.traceState, 'a link trace state')
              : undefined,
          attributes: jsonAttributes(l?.attributes, t),
        },
        { flags: l?.flags, droppedAttributesCount: l?.droppedAttributesCount },
      ),
    ),
    flags: toUint(s.flags),
    droppedAttributesCount: toUint(s.droppedAttributesCount),
    droppedEventsCount: toUint(s.droppedEventsCount),
    droppedLinksCount: toUint(s.droppedLinksCount),
  };
  return span;
}

type JsonObject = Record<string, unknown>;

function jsonReader(
  resourceSpans: unknown[],
  limits: DecodeLimits,
  t: TextCheck,
): RequestReader<JsonObject, JsonObject, unknown> {
  const schemaUrl = (raw: unknown, where: string): string => (typeof raw === 'string' ? t(raw, where) : '');
  return {
    resourceSpans: resourceSpans.map((rs) => (rs ?? {}) as JsonObject),
    scopeSpans: (rs) => asArray(rs.scopeSpans, 'scopeSpans').map((ss) => (ss ?? {}) as JsonObject),
    spans: (ss) => asArray(ss.spans, 'spans'),
    resource: (rs): ResourceInfo => {
      const raw = (rs.resource ?? {}) as JsonObject;
      const attributes = jsonAttributes(raw.attributes, t);
      const resource: ResourceInfo = {
        serviceName: serviceOf(attributes),
        attributes,
        schemaUrl: schemaUrl(rs.schemaUrl, 'the resource schema URL'),
      };
      return withNonZero(resource, { droppedAttributesCount: raw.droppedAttributesCount });
    },
    scope: (ss): ScopeInfo => {
      const sc = (ss.scope ?? {}) as JsonObject;
      const scope: ScopeInfo = {
        name: t(String(sc.name ?? ''), 'the scope name'),
        version: t(String(sc.version ?? ''), 'the scope version'),
        attributes: jsonAttributes(sc.attributes, t),
        schemaUrl: schemaUrl(ss.schemaUrl, 'the scope schema URL'),
      };
      return withNonZero(scope, { droppedAttributesCount: sc.droppedAttributesCount });
    },
    span: (s) => jsonSpan(s, limits, t),
  };
}

/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest` (hex ids, enum ints or names, int64 as decimal
 * strings or JSON numbers — kept exact beyond 2^53). Throws `InvalidPayloadError` when the text is
 * not JSON or not shaped like a request.
 */
export function decodeJsonRequest(
  body: Buffer | string,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): DecodedBatch {
  // With valid UTF-8 bytes a U+FFFD was sent on purpose; otherwise the spans carrying one are
  // the damaged ones and are rejected (the rest of the request is kept).
  const validBytes = typeof body === 'string' || isUtf8(body);
  const t: TextCheck = (value, where) => checkText(value, where, !validBytes);
  let parsed: unknown;
  try {
    parsed = parseExact(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (error) {
    throw new InvalidPayloadError(`malformed JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidPayloadError('OTLP/JSON body must be an object with "resourceSpans"');
  }
  return walkRequest(jsonReader(asArray((parsed as JsonObject).resourceSpans, 'resourceSpans'), limits, t));
}
