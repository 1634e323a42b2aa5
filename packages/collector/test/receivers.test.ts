import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../src/index.js';
import { exportSampleTrace, getJson, startTestCollector } from './helpers.js';

let collector: RunningCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(async () => {
  await collector?.close();
});

async function checkDelivered(traceId: string, service: string): Promise<void> {
  const { status, body } = await getJson(collector, `/api/traces/${traceId}`);
  expect(status).toBe(200);
  const t = body.data[0];
  expect(t.traceID).toBe(traceId);
  expect(t.spans).toHaveLength(3);
  // biome-ignore lint/suspicious/noExplicitAny: JSON under test
  const byName = Object.fromEntries(t.spans.map((s: any) => [s.operationName, s]));
  const root = byName['HTTP GET /api/chat'];
  const child = byName['llm.inference'];
  const grand = byName['ssh.distribute_certificates'];
  expect(root.references).toEqual([]);
  expect(child.references).toEqual([{ refType: 'CHILD_OF', traceID: traceId, spanID: root.spanID }]);
  expect(grand.references[0].spanID).toBe(child.spanID);
  expect(t.processes[root.processID].serviceName).toBe(service);
  expect(t.processes[root.processID].tags).toContainEqual({ key: 'host.name', type: 'string', value: 'vm1' });
  expect(root.tags).toContainEqual({ key: 'http.status_code', type: 'int64', value: 200 });
  expect(root.tags).toContainEqual({ key: 'llm.duration_ms', type: 'float64', value: 6200.5 });
  expect(root.tags).toContainEqual({ key: 'span.kind', type: 'string', value: 'server' });
  expect(root.tags).toContainEqual({ key: 'otel.scope.name', type: 'string', value: 'autobot.test' });
  expect(grand.tags).toContainEqual({ key: 'error', type: 'bool', value: true });
  expect(grand.tags).toContainEqual({
    key: 'otel.status_description',
    type: 'string',
    value: 'connection refused',
  });
  expect(child.logs[0].fields[0]).toEqual({ key: 'event', type: 'string', value: 'first_token' });
  expect(child.logs[0].fields).toContainEqual({ key: 'llm.tokens', type: 'int64', value: 3 });
  expect(root.duration).toBeGreaterThanOrEqual(0);
  expect(root.startTime).toBeGreaterThan(1.6e15);
}

describe('OTLP receivers with the official OpenTelemetry JS exporters', () => {
  it('accepts OTLP/gRPC from @opentelemetry/exporter-trace-otlp-grpc', async () => {
    const exporter = new GrpcExporter({ url: `http://127.0.0.1:${collector.grpcPort}` });
    const id = await exportSampleTrace(exporter, 'svc-grpc');
    await checkDelivered(id, 'svc-grpc');
  });

  it('accepts gzip-compressed OTLP/gRPC', async () => {
    const exporter = new GrpcExporter({
      url: `http://127.0.0.1:${collector.grpcPort}`,
      compression: 'gzip' as never,
    });
    const id = await exportSampleTrace(exporter, 'svc-grpc-gzip');
    await checkDelivered(id, 'svc-grpc-gzip');
  });

  it('accepts OTLP/HTTP protobuf from @opentelemetry/exporter-trace-otlp-proto', async () => {
    const exporter = new ProtoExporter({ url: `http://127.0.0.1:${collector.httpPort}/v1/traces` });
    const id = await exportSampleTrace(exporter, 'svc-proto');
    await checkDelivered(id, 'svc-proto');
  });

  it('accepts gzip OTLP/HTTP protobuf', async () => {
    const exporter = new ProtoExporter({
      url: `http://127.0.0.1:${collector.httpPort}/v1/traces`,
      compression: 'gzip' as never,
    });
    const id = await exportSampleTrace(exporter, 'svc-proto-gzip');
    await checkDelivered(id, 'svc-proto-gzip');
  });

  it('accepts OTLP/HTTP JSON from @opentelemetry/exporter-trace-otlp-http', async () => {
    const exporter = new HttpJsonExporter({ url: `http://127.0.0.1:${collector.httpPort}/v1/traces` });
    const id = await exportSampleTrace(exporter, 'svc-json');
    await checkDelivered(id, 'svc-json');
  });

  it('counts ingest in /status', async () => {
    const { status, body } = await getJson(collector, '/status');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.ingest.storedSpans).toBeGreaterThanOrEqual(15);
    expect(body.store.spanCount).toBe(body.ingest.storedSpans);
    expect(body.store.oldestSpanUs).toBeGreaterThan(0);
    expect(body.grpcPort).toBe(collector.grpcPort);
  });
});
