import { stringifyExact } from '../json-exact.js';
import type { Attributes, AttrValue, StoredSpan } from '../model.js';
import { bytesOf, SPAN_KIND_NAMES, taggedDoubleOf } from '../model.js';
import type { JaegerSpan, JaegerTag, JaegerTrace } from './jaeger-types.js';

// Arrays and key/value lists are shown as JSON text (as the OpenTelemetry → Jaeger translator
// does); tagged values inside them become their plain JSON form.
function plain(value: AttrValue): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== 'object') return value;
  const bytes = bytesOf(value);
  if (bytes !== undefined) return bytes;
  const double = taggedDoubleOf(value);
  if (double !== undefined) return double;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}

function tag(key: string, value: AttrValue, doubles?: Set<string>): JaegerTag {
  switch (typeof value) {
    case 'string':
      return { key, type: 'string', value };
    case 'boolean':
      return { key, type: 'bool', value };
    case 'bigint':
      return { key, type: 'int64', value };
    case 'number':
      return Number.isInteger(value) && !doubles?.has(key)
        ? { key, type: 'int64', value }
        : { key, type: 'float64', value };
    default: {
      if (value === null) return { key, type: 'string', value: '' };
      const bytes = bytesOf(value);
      if (bytes !== undefined) return { key, type: 'binary', value: bytes };
      // JSON has no NaN or Infinity (Jaeger's Go encoder fails on them): the name, as a string.
      const double = taggedDoubleOf(value);
      if (double !== undefined) return { key, type: 'float64', value: double };
      return { key, type: 'string', value: stringifyExact(plain(value)) };
    }
  }
}

/** Attributes as Jaeger tags. */
export function toTags(attributes: Attributes, doubles?: Set<string>): JaegerTag[] {
  return Object.entries(attributes).map(([k, v]) => tag(k, v, doubles));
}

/**
 * Converts stored spans of one trace to Jaeger's trace JSON (as `/api/traces/{id}` returns it).
 * Times are microseconds truncated from the stored nanoseconds, as Jaeger shows them (a 100,999 ns
 * span lasts 100 µs). Serialise with `stringifyExact` (int64 tags may be bigints).
 */
export function toJaegerTrace(spans: StoredSpan[]): JaegerTrace {
  const processes: JaegerTrace['processes'] = {};
  const processKeys = new Map<string, string>();
  const out: JaegerSpan[] = [];
  for (const s of spans) {
    const resourceKey = `${s.serviceName}\u0000${JSON.stringify(s.resourceAttributes)}`;
    let processID = processKeys.get(resourceKey);
    if (processID === undefined) {
      processID = `p${processKeys.size + 1}`;
      processKeys.set(resourceKey, processID);
      const { 'service.name': _service, ...rest } = s.resourceAttributes;
      processes[processID] = { serviceName: s.serviceName, tags: toTags(rest) };
    }
    const tags = toTags(s.attributes, s.doubleKeys ? new Set(s.doubleKeys) : undefined);
    if (s.kind > 1)
      tags.push({ key: 'span.kind', type: 'string', value: SPAN_KIND_NAMES[s.kind] ?? 'unspecified' });
    if (s.scope.name) tags.push({ key: 'otel.scope.name', type: 'string', value: s.scope.name });
    if (s.scope.version) tags.push({ key: 'otel.scope.version', type: 'string', value: s.scope.version });
    if (s.statusCode === 1) tags.push({ key: 'otel.status_code', type: 'string', value: 'OK' });
    if (s.statusCode === 2) {
      tags.push({ key: 'otel.status_code', type: 'string', value: 'ERROR' });
      tags.push({ key: 'error', type: 'bool', value: true });
    }
    if (s.statusMessage)
      tags.push({ key: 'otel.status_description', type: 'string', value: s.statusMessage });
    if (s.traceState) tags.push({ key: 'w3c.tracestate', type: 'string', value: s.traceState });
    const references: JaegerSpan['references'] = [];
    if (s.parentSpanId) references.push({ refType: 'CHILD_OF', traceID: s.traceId, spanID: s.parentSpanId });
    for (const l of s.links)
      references.push({ refType: 'FOLLOWS_FROM', traceID: l.traceId, spanID: l.spanId });
    out.push({
      traceID: s.traceId,
      spanID: s.spanId,
      operationName: s.name,
      references,
      startTime: s.startUs,
      duration: s.durationUs,
      tags,
      logs: s.events.map((e) => ({
        timestamp: e.timeUs,
        fields: [{ key: 'event', type: 'string', value: e.name }, ...toTags(e.attributes)],
      })),
      processID,
      warnings: null,
      // Jaeger v1 flags are its own bits (1 sampled, 2 debug, 4 firehose), not W3C trace flags:
      // the W3C random-trace-id bit (0x02) must not show every span as debug. Sampled only.
      flags: s.flags & 0x01,
    });
  }
  return { traceID: spans[0]?.traceId ?? '', spans: out, processes, warnings: null };
}
