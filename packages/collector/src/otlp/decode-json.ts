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
  idFromJson,
  int64Value,
  KIND_NAMES,
  nanosToMicros,
  rejectReason,
  SpanRejection,
  STATUS_NAMES,
  serviceOf,
  toUint,
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

function jsonValue(raw: unknown, depth: number): AttrValue {
  if (!raw || typeof raw !== 'object' || depth > 8) return null;
  const v = raw as JsonAnyValue;
  if (v.stringValue !== undefined) return checkText(String(v.stringValue), 'a string value');
  if (v.boolValue !== undefined) return v.boolValue === true || v.boolValue === 'true';
  if (v.intValue !== undefined) return int64Value(v.intValue as Int64);
  if (v.doubleValue !== undefined) {
    const n = Number(v.doubleValue);
    if (Number.isNaN(n) && v.doubleValue !== 'NaN') throw new SpanRejection('invalid doubleValue');
    return n;
  }
  if (v.arrayValue !== undefined) {
    const values = Array.isArray(v.arrayValue?.values) ? (v.arrayValue.values as unknown[]) : [];
    return values.map((x) => jsonValue(x, depth + 1));
  }
  if (v.kvlistValue !== undefined) {
    const out: Record<string, AttrValue> = {};
    const values = Array.isArray(v.kvlistValue?.values) ? (v.kvlistValue.values as unknown[]) : [];
    for (const kv of values) {
      const k = kv as { key?: unknown; value?: unknown };
      out[String(k.key ?? '')] = jsonValue(k.value, depth + 1);
    }
    return out;
  }
  if (v.bytesValue !== undefined) return String(v.bytesValue);
  return null;
}

function jsonAttributes(list: unknown, doubles: string[] | null): Attributes {
  const out: Attributes = {};
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new SpanRejection('attributes must be an array');
  for (const item of list) {
    const kv = item as { key?: unknown; value?: JsonAnyValue };
    const key = checkText(String(kv?.key ?? ''), 'an attribute key');
    const value = jsonValue(kv?.value, 0);
    out[key] = value;
    if (doubles && kv.value?.doubleValue !== undefined && Number.isInteger(value)) doubles.push(key);
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

function jsonSpan(raw: unknown, limits: DecodeLimits): SpanInput {
  if (!raw || typeof raw !== 'object') throw new SpanRejection('span must be an object');
  const s = raw as Record<string, unknown>;
  const attrList = s.attributes;
  const events = Array.isArray(s.events) ? (s.events as Record<string, unknown>[]) : [];
  const links = Array.isArray(s.links) ? (s.links as Record<string, unknown>[]) : [];
  checkCounts(Array.isArray(attrList) ? attrList.length : 0, events.length, links.length, limits);
  const startUs = nanosToMicros(s.startTimeUnixNano as Int64);
  const endUs = nanosToMicros(s.endTimeUnixNano as Int64);
  const status = (s.status ?? {}) as Record<string, unknown>;
  const doubles: string[] = [];
  const span: SpanInput = {
    traceId: idFromJson(s.traceId, 16, 'traceId', false),
    spanId: idFromJson(s.spanId, 8, 'spanId', false),
    parentSpanId: idFromJson(s.parentSpanId, 8, 'parentSpanId', true),
    traceState: typeof s.traceState === 'string' ? s.traceState : '',
    name: checkText(String(s.name ?? ''), 'the span name'),
    kind: enumValue(s.kind, KIND_NAMES, 5, 'span kind'),
    startUs,
    durationUs: Math.max(0, endUs - startUs),
    statusCode: enumValue(status.code, STATUS_NAMES, 2, 'status code'),
    statusMessage: checkText(String(status.message ?? ''), 'the status message'),
    attributes: jsonAttributes(attrList, doubles),
    events: events.map(
      (e): SpanEvent => ({
        timeUs: nanosToMicros(e?.timeUnixNano as Int64),
        name: checkText(String(e?.name ?? ''), 'an event name'),
        attributes: jsonAttributes(e?.attributes, null),
      }),
    ),
    links: links.map(
      (l): SpanLink => ({
        traceId: idFromJson(l?.traceId, 16, 'link traceId', false),
        spanId: idFromJson(l?.spanId, 8, 'link spanId', false),
        traceState: typeof l?.traceState === 'string' && l.traceState ? l.traceState : undefined,
        attributes: jsonAttributes(l?.attributes, null),
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
 * Decodes an OTLP/JSON `ExportTraceServiceRequest` (hex ids, enum ints or names, int64 as strings).
 * Throws `InvalidPayloadError` when the text is not JSON or not shaped like a request.
 */
export function decodeJsonRequest(
  body: Buffer | string,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): DecodedBatch {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (error) {
    throw new InvalidPayloadError(`malformed JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidPayloadError('OTLP/JSON body must be an object with "resourceSpans"');
  }
  const out = new BatchBuilder();
  for (const rsRaw of asArray((parsed as Record<string, unknown>).resourceSpans, 'resourceSpans')) {
    const rs = (rsRaw ?? {}) as Record<string, unknown>;
    const scopeSpansList = asArray(rs.scopeSpans, 'scopeSpans') as Record<string, unknown>[];
    let resource: ResourceInfo;
    try {
      const attributes = jsonAttributes(
        (rs.resource as Record<string, unknown> | undefined)?.attributes,
        null,
      );
      resource = { serviceName: serviceOf(attributes), attributes };
    } catch (error) {
      for (const ss of scopeSpansList)
        for (const _ of asArray(ss?.spans, 'spans')) out.reject(rejectReason(error));
      continue;
    }
    for (const ss of scopeSpansList) {
      const spansRaw = asArray(ss?.spans, 'spans');
      let scope: ScopeInfo;
      try {
        const sc = (ss?.scope ?? {}) as Record<string, unknown>;
        scope = {
          name: checkText(String(sc.name ?? ''), 'the scope name'),
          version: checkText(String(sc.version ?? ''), 'the scope version'),
          attributes: jsonAttributes(sc.attributes, null),
        };
      } catch (error) {
        for (const _ of spansRaw) out.reject(rejectReason(error));
        continue;
      }
      const spans: SpanInput[] = [];
      for (const s of spansRaw) {
        try {
          spans.push(jsonSpan(s, limits));
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
