import { startNode, startTestCollector, type TestCollector } from '@autobot/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from './fixture-path.js';

// The official exporters our provider builds (gRPC and HTTP/protobuf) deliver to a real OTLP
// receiver, and SIGTERM flushes every ended span before the process exits.
let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector?.close());

async function countSpans(service: string): Promise<number> {
  const response = await fetch(`${collector.queryUrl}/api/traces?service=${service}&limit=5000&lookback=1h`);
  const body = (await response.json()) as { data: { spans: unknown[] }[] };
  return body.data.reduce((sum, trace) => sum + trace.spans.length, 0);
}

describe('export and flush on SIGTERM', () => {
  it.each([
    ['grpc', () => `http://127.0.0.1:${collector.grpcPort}`],
    ['http/protobuf', () => `http://127.0.0.1:${collector.httpPort}/v1/traces`],
  ])('over %s: every span ended before SIGTERM reaches the collector', async (protocol, endpoint) => {
    const service = `flush-${protocol.replace('/', '-')}`;
    const spanCount = 300;
    const child = startNode(fixture('flush-on-signal.mjs'), {
      AUTOBOT_JAEGER_ENDPOINT: endpoint(),
      SERVICE_NAME: service,
      SPAN_COUNT: String(spanCount),
      AUTOBOT_TRACE_SHUTDOWN_TIMEOUT_MS: '5000',
    });
    await child.waitFor((l) => l.event === 'ready');
    // The batch delay is 60 s: nothing has been exported yet, so only the signal flush can deliver.
    expect(await countSpans(service)).toBe(0);
    const started = Date.now();
    await child.stop('SIGTERM');
    expect(child.child.signalCode).toBe('SIGTERM'); // exits as it would have without tracing
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await countSpans(service)).toBe(spanCount);
  });

  it('AUTOBOT_TRACE_CONSOLE=true also prints finished spans to stdout', async () => {
    const child = startNode(fixture('flush-on-signal.mjs'), {
      AUTOBOT_JAEGER_ENDPOINT: `http://127.0.0.1:${collector.grpcPort}`,
      SERVICE_NAME: 'console-test',
      SPAN_COUNT: '1',
      AUTOBOT_TRACE_CONSOLE: 'true',
    });
    await child.waitFor((l) => l.event === 'ready');
    await child.stop('SIGTERM');
    expect(child.lines.join('\n')).toContain("name: 'flush.unit'");
  });
});
