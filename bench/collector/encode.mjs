// OTLP protobuf encoding of the synthetic spans of gen.mjs: one ExportTraceServiceRequest per
// batch, one ResourceSpans per service (service.name, host.name), attributes as string/int values.
import { ExportTraceServiceRequest } from '../../packages/collector/dist/otlp/schema.js';

function kv(key, v) {
  if (typeof v === 'string') return { key, value: { stringValue: v } };
  return { key, value: { intValue: v } };
}

/** The encoded request (a Buffer) carrying `spans` (from `makeSpans`). */
export function encodeBatch(spans) {
  const byService = new Map();
  for (const s of spans) {
    const list = byService.get(s.service) ?? [];
    list.push({
      traceId: Buffer.from(s.traceId, 'hex'),
      spanId: Buffer.from(s.spanId, 'hex'),
      parentSpanId: s.parentSpanId ? Buffer.from(s.parentSpanId, 'hex') : Buffer.alloc(0),
      name: s.name,
      kind: s.kind,
      startTimeUnixNano: s.startUs * 1000,
      endTimeUnixNano: (s.startUs + s.durationUs) * 1000,
      attributes: Object.entries(s.attributes).map(([k, v]) => kv(k, v)),
      status: { code: s.statusCode },
    });
    byService.set(s.service, list);
  }
  const msg = {
    resourceSpans: [...byService].map(([service, list]) => ({
      resource: { attributes: [kv('service.name', service), kv('host.name', 'bench-host')] },
      scopeSpans: [{ scope: { name: 'bench' }, spans: list }],
    })),
  };
  return Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(msg)).finish());
}
