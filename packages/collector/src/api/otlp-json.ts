import type { Attributes, AttrValue, StoredSpan } from '../model.js';

type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | { kvlistValue: { values: { key: string; value: OtlpAnyValue }[] } };

function anyValue(value: AttrValue, isDouble = false): OtlpAnyValue {
  if (value === null) return { stringValue: '' };
  if (Array.isArray(value)) return { arrayValue: { values: value.map((v) => anyValue(v)) } };
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      return Number.isInteger(value) && !isDouble ? { intValue: String(value) } : { doubleValue: value };
    default:
      return {
        kvlistValue: { values: Object.entries(value).map(([key, v]) => ({ key, value: anyValue(v) })) },
      };
  }
}

function keyValues(attributes: Attributes, doubles?: string[]): { key: string; value: OtlpAnyValue }[] {
  return Object.entries(attributes).map(([key, v]) => ({ key, value: anyValue(v, doubles?.includes(key)) }));
}

function nanos(us: number): string {
  return `${Math.round(us)}000`;
}

/** Converts stored spans to OTLP/JSON `{ resourceSpans: [...] }` (hex ids, int64 as strings). */
export function toOtlpJson(spans: StoredSpan[]): { resourceSpans: unknown[] } {
  const resources = new Map<
    string,
    { resource: unknown; scopes: Map<string, { scope: unknown; spans: unknown[] }> }
  >();
  for (const s of spans) {
    const rKey = JSON.stringify(s.resourceAttributes);
    let r = resources.get(rKey);
    if (r === undefined) {
      r = { resource: { attributes: keyValues(s.resourceAttributes) }, scopes: new Map() };
      resources.set(rKey, r);
    }
    const sKey = `${s.scope.name}\u0000${s.scope.version}`;
    let sc = r.scopes.get(sKey);
    if (sc === undefined) {
      sc = {
        scope: { name: s.scope.name, version: s.scope.version, attributes: keyValues(s.scope.attributes) },
        spans: [],
      };
      r.scopes.set(sKey, sc);
    }
    sc.spans.push({
      traceId: s.traceId,
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      traceState: s.traceState,
      flags: s.flags,
      name: s.name,
      kind: s.kind,
      startTimeUnixNano: nanos(s.startUs),
      endTimeUnixNano: nanos(s.startUs + s.durationUs),
      attributes: keyValues(s.attributes, s.doubleKeys),
      droppedAttributesCount: s.droppedAttributesCount,
      events: s.events.map((e) => ({
        timeUnixNano: nanos(e.timeUs),
        name: e.name,
        attributes: keyValues(e.attributes),
      })),
      droppedEventsCount: s.droppedEventsCount,
      links: s.links.map((l) => ({
        traceId: l.traceId,
        spanId: l.spanId,
        traceState: l.traceState ?? '',
        attributes: keyValues(l.attributes),
      })),
      droppedLinksCount: s.droppedLinksCount,
      status: { code: s.statusCode, message: s.statusMessage },
    });
  }
  return {
    resourceSpans: [...resources.values()].map((r) => ({
      resource: r.resource,
      scopeSpans: [...r.scopes.values()].map((sc) => ({ scope: sc.scope, spans: sc.spans })),
    })),
  };
}
