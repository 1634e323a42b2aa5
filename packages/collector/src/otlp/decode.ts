import { InvalidPayloadError } from '../errors.js';
import type {
  Attributes,
  AttrValue,
  DecodedBatch,
  ResourceInfo,
  ScopeInfo,
  SpanEvent,
  SpanGroup,
  SpanInput,
  SpanLink,
} from '../model.js';
import { ExportTraceServiceRequest } from './schema.js';

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
class SpanRejection extends Error {}

const REPLACEMENT_CHAR = '\uFFFD';
const TWO_POW_32 = 4294967296;
const MAX_REASONS = 5;

// protobufjs returns 64-bit integers as Long objects (the `long` package is installed) or numbers.
interface LongLike {
  low: number;
  high: number;
  toString(): string;
}
type Int64 = number | LongLike | string | null | undefined;

function checkText(value: string, where: string): string {
  if (value.includes(REPLACEMENT_CHAR)) {
    throw new SpanRejection(`invalid UTF-8 in ${where}`);
  }
  return value;
}

/** Unsigned nanoseconds (fixed64) to microseconds, rounded. */
function nanosToMicros(value: Int64): number {
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
function int64Value(value: Int64): number | string {
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

function toUint(value: unknown): number {
  return typeof value === 'number' && value > 0 ? value >>> 0 : 0;
}

// ---------------------------------------------------------------------------------------------
// Ids

const HEX_RE = /^[0-9a-fA-F]*$/;

function idFromBytes(
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

function idFromJson(value: unknown, size: number, what: string, optional: boolean): string {
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
// Attribute values

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
// Enums (OTLP/JSON allows enum ints or names)

const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_NAMES: Record<string, number> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

function enumValue(raw: unknown, names: Record<string, number>, max: number, what: string): number {
  if (raw === undefined || raw === null) return 0;
  const n = typeof raw === 'string' ? (names[raw] ?? Number(raw)) : Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new SpanRejection(`invalid ${what} ${JSON.stringify(raw)}`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Common assembly

function serviceOf(attributes: Attributes): string {
  const name = attributes['service.name'];
  return typeof name === 'string' && name !== '' ? name : 'unknown_service';
}

class BatchBuilder {
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

function checkCounts(attrs: number, events: number, links: number, limits: DecodeLimits): void {
  if (attrs > limits.maxAttributesPerSpan) {
    throw new SpanRejection(`span has ${attrs} attributes, the limit is ${limits.maxAttributesPerSpan}`);
  }
  if (events > limits.maxEventsPerSpan || links > limits.maxEventsPerSpan) {
    throw new SpanRejection(
      `span has ${events} events and ${links} links, the limit is ${limits.maxEventsPerSpan}`,
    );
  }
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

function rejectReason(error: unknown): string {
  if (error instanceof SpanRejection) return error.message;
  return `invalid span: ${(error as Error)?.message ?? String(error)}`;
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
