import * as grpc from '@grpc/grpc-js';
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { type RunningCollector, startCollector } from '../src/index.js';
import type { DecodedBatch, SpanInput } from '../src/model.js';

/** Starts an in-memory collector on ephemeral ports. */
export function startTestCollector(
  options: Parameters<typeof startCollector>[0] = {},
): Promise<RunningCollector> {
  return startCollector({
    grpcPort: 0,
    httpPort: 0,
    queryPort: 0,
    dbPath: ':memory:',
    uiDir: null,
    ...options,
  });
}

/** GET a JSON document from the query port. */
// biome-ignore lint/suspicious/noExplicitAny: JSON documents under test are checked by assertions
export async function getJson(c: RunningCollector, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${c.queryPort}${path}`);
  return { status: res.status, body: await res.json() };
}

/**
 * One raw OTLP/gRPC Export call with `payload` as the request bytes (no schema: malformed bodies
 * reach the server as they are). `gzip` compresses the message; up to 64 MiB may be sent.
 */
export function exportGrpcBytes(
  c: RunningCollector,
  payload: Buffer,
  gzip = false,
): Promise<{ error: grpc.ServiceError | null; response?: Buffer }> {
  const client = new grpc.Client(`127.0.0.1:${c.grpcPort}`, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    ...(gzip ? { 'grpc.default_compression_algorithm': 2 } : {}),
  });
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      (b: Buffer) => b,
      (b: Buffer) => b,
      payload,
      (error, response) => {
        client.close();
        resolve({ error, response });
      },
    );
  });
}

/**
 * Exports one trace (server root → client child → internal grandchild with an error) through
 * the given exporter and returns its trace id.
 */
export async function exportSampleTrace(exporter: SpanExporter, serviceName: string): Promise<string> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'host.name': 'vm1' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  try {
    const tracer = provider.getTracer('autobot.test', '1.2.3');
    const root = tracer.startSpan('HTTP GET /api/chat', {
      kind: SpanKind.SERVER,
      attributes: { 'http.method': 'GET', 'http.status_code': 200, 'llm.duration_ms': 6200.5 },
    });
    const rootCtx = trace.setSpan(context.active(), root);
    const child: Span = tracer.startSpan(
      'llm.inference',
      { kind: SpanKind.CLIENT, attributes: { 'llm.model': 'mistral' } },
      rootCtx,
    );
    child.addEvent('first_token', { 'llm.tokens': 3 });
    const grand = tracer.startSpan(
      'ssh.distribute_certificates',
      { attributes: { 'ssh.target_vm': 'frontend' } },
      trace.setSpan(rootCtx, child),
    );
    grand.setStatus({ code: SpanStatusCode.ERROR, message: 'connection refused' });
    grand.setAttribute('ssh.error_type', 'asyncssh_error');
    grand.end();
    child.end();
    root.end();
    await provider.forceFlush();
    return root.spanContext().traceId;
  } finally {
    await provider.shutdown();
  }
}

let counter = 0;
function hex(n: number, len: number): string {
  return n.toString(16).padStart(len, '0').slice(-len);
}

/** Builds a span for direct store insertion. */
export function makeSpan(over: Partial<SpanInput> = {}): SpanInput {
  counter++;
  return {
    traceId: hex(counter, 32),
    spanId: hex(counter, 16),
    parentSpanId: '',
    traceState: '',
    name: 'op',
    kind: 1,
    startUs: 1_700_000_000_000_000 + counter,
    durationUs: 1000,
    statusCode: 0,
    statusMessage: '',
    attributes: {},
    events: [],
    links: [],
    flags: 0,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...over,
  };
}

/** One-group batch for direct store insertion. */
export function batchOf(
  serviceName: string,
  spans: SpanInput[],
  resource: Record<string, string> = {},
): DecodedBatch {
  return {
    groups: [
      {
        resource: { serviceName, attributes: { 'service.name': serviceName, ...resource } },
        scope: { name: 'test', version: '', attributes: {} },
        spans,
      },
    ],
    spanCount: spans.length,
    rejected: 0,
    rejectReasons: [],
  };
}
