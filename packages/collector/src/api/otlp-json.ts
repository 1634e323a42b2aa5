import type { Attributes, AttrValue, StoredSpan } from '../model.js';
import { bytesOf, taggedDoubleOf } from '../model.js';

/** An OTLP/JSON `AnyValue` (an empty value is `{}`). */
export type OtlpAnyValue =
  | Record<string, never>
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number | 'NaN' | 'Infinity' | '-Infinity' }
  | { bytesValue: string }
  | { arrayValue: { values?: OtlpAnyValue[] } }
  | { kvlistValue: { values?: { key: string; value: OtlpAnyValue }[] } };

/** An attribute value in the protobuf JSON mapping: int64 as a decimal string, NaN/Infinity as strings, bytes as base64. */
export function anyValue(value: AttrValue, isDouble = false): OtlpAnyValue {
  if (value === null) return {};
  if (Array.isArray(value)) {
    return { arrayValue: value.length > 0 ? { values: value.map((v) => anyValue(v)) } : {} };
  }
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'bigint':
      return { intValue: String(value) };
    case 'number':
      return Number.isInteger(value) && !isDouble ? { intValue: String(value) } : { doubleValue: value };
    default: {
      const bytes = bytesOf(value);
      if (bytes !== undefined) return { bytesValue: bytes };
      const double = taggedDoubleOf(value);
      if (double !== undefined) return { doubleValue: double as number };
      const values = Object.entries(value).map(([key, v]) => ({ key, value: anyValue(v) }));
      return { kvlistValue: values.length > 0 ? { values } : {} };
    }
  }
}

function keyValues(attributes: Attributes, doubles?: string[]): { key: string; value: OtlpAnyValue }[] {
  return Object.entries(attributes).map(([key, v]) => ({ key, value: anyValue(v, doubles?.includes(key)) }));
}

/** Unix nanoseconds as a decimal string (fixed64 in the JSON mapping) from microseconds + remainder. */
export function nanosText(us: number, rem = 0): string {
  return us === 0 ? String(rem) : `${us}${String(rem).padStart(3, '0')}`;
}

/** End of a span as [microseconds, nanoseconds past them]. */
export function spanEnd(s: StoredSpan): [number, number] {
  const rem = (s.startNsRem ?? 0) + (s.durationNsRem ?? 0);
  return [s.startUs + s.durationUs + Math.floor(rem / 1000), rem % 1000];
}

// Like Jaeger v2 (pdata's JSON marshaler), fields with default values are left out: a root span
// has no `parentSpanId`, an empty scope is `{}`.
function attrsField(attributes: Attributes, doubles?: string[]): { attributes?: unknown[] } {
  const list = keyValues(attributes, doubles);
  return list.length > 0 ? { attributes: list } : {};
}
function nonEmpty<K extends string>(
  key: K,
  value: string | number | undefined,
): { [P in K]?: string | number } {
  return value ? ({ [key]: value } as { [P in K]: string | number }) : {};
}

/** One scope's spans under a resource, in arrival order. */
interface ScopeGroup {
  scope: unknown;
  schemaUrl: string;
  spans: unknown[];
}

/** One resource's scopes, keyed by everything that makes a scope distinct. */
interface ResourceGroup {
  resource: unknown;
  schemaUrl: string;
  scopes: Map<string, ScopeGroup>;
}

/** Converts stored spans to OTLP/JSON `{ resourceSpans: [...] }` (hex ids, int64 as strings). */
export function toOtlpJson(spans: StoredSpan[]): { resourceSpans: unknown[] } {
  const resources = new Map<string, ResourceGroup>();
  for (const s of spans) scopeGroupOf(resourceGroupOf(resources, s), s).spans.push(otlpSpan(s));
  return {
    resourceSpans: [...resources.values()].map((r) => ({
      resource: r.resource,
      scopeSpans: [...r.scopes.values()].map((sc) => ({
        scope: sc.scope,
        spans: sc.spans,
        ...nonEmpty('schemaUrl', sc.schemaUrl),
      })),
      ...nonEmpty('schemaUrl', r.schemaUrl),
    })),
  };
}

/** The group of the span's resource (schema URL, dropped count and attributes), made on first sight. */
function resourceGroupOf(resources: Map<string, ResourceGroup>, s: StoredSpan): ResourceGroup {
  const schemaUrl = s.resourceSchemaUrl ?? '';
  const dropped = s.resourceDroppedAttributesCount ?? 0;
  const key = `${schemaUrl}\u0000${dropped}\u0000${JSON.stringify(keyValues(s.resourceAttributes))}`;
  let group = resources.get(key);
  if (group === undefined) {
    group = {
      resource: { ...attrsField(s.resourceAttributes), ...nonEmpty('droppedAttributesCount', dropped) },
      schemaUrl,
      scopes: new Map(),
    };
    resources.set(key, group);
  }
  return group;
}

/** The group of the span's instrumentation scope within its resource, made on first sight. */
function scopeGroupOf(resource: ResourceGroup, s: StoredSpan): ScopeGroup {
  const key = JSON.stringify([
    s.scope.name,
    s.scope.version,
    s.scope.schemaUrl ?? '',
    s.scope.droppedAttributesCount ?? 0,
    keyValues(s.scope.attributes),
  ]);
  let group = resource.scopes.get(key);
  if (group === undefined) {
    group = {
      scope: {
        ...nonEmpty('name', s.scope.name),
        ...nonEmpty('version', s.scope.version),
        ...attrsField(s.scope.attributes),
        ...nonEmpty('droppedAttributesCount', s.scope.droppedAttributesCount),
      },
      schemaUrl: s.scope.schemaUrl ?? '',
      spans: [],
    };
    resource.scopes.set(key, group);
  }
  return group;
}

/** One OTLP/JSON span, its events and links, default-valued fields left out. */
function otlpSpan(s: StoredSpan): unknown {
  const [endUs, endRem] = spanEnd(s);
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...nonEmpty('traceState', s.traceState),
    ...nonEmpty('parentSpanId', s.parentSpanId),
    ...nonEmpty('flags', s.flags),
    ...nonEmpty('name', s.name),
    ...nonEmpty('kind', s.kind),
    startTimeUnixNano: nanosText(s.startUs, s.startNsRem),
    endTimeUnixNano: nanosText(endUs, endRem),
    ...attrsField(s.attributes, s.doubleKeys),
    ...nonEmpty('droppedAttributesCount', s.droppedAttributesCount),
    ...(s.events.length > 0 ? { events: s.events.map(otlpEvent) } : {}),
    ...nonEmpty('droppedEventsCount', s.droppedEventsCount),
    ...(s.links.length > 0 ? { links: s.links.map(otlpLink) } : {}),
    ...nonEmpty('droppedLinksCount', s.droppedLinksCount),
    status: { ...nonEmpty('message', s.statusMessage), ...nonEmpty('code', s.statusCode) },
  };
}

function otlpEvent(e: StoredSpan['events'][number]): unknown {
  return {
    timeUnixNano: nanosText(e.timeUs, e.timeNsRem),
    ...nonEmpty('name', e.name),
    ...attrsField(e.attributes),
    ...nonEmpty('droppedAttributesCount', e.droppedAttributesCount),
  };
}

function otlpLink(l: StoredSpan['links'][number]): unknown {
  return {
    traceId: l.traceId,
    spanId: l.spanId,
    ...nonEmpty('traceState', l.traceState),
    ...attrsField(l.attributes),
    ...nonEmpty('droppedAttributesCount', l.droppedAttributesCount),
    ...nonEmpty('flags', l.flags),
  };
}
