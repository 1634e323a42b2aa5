import { startNode, startTestCollector, type TestCollector, waitForTrace } from '@autobot/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from './fixture-path.js';

let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector?.close());

describe('node --import @autobot/tracing/register', () => {
  it('traces an app that contains no tracing code, and says instrumentation is active', async () => {
    const app = startNode(
      fixture('register-app.mjs'),
      { AUTOBOT_JAEGER_ENDPOINT: `http://127.0.0.1:${collector.grpcPort}`, OTEL_SERVICE_NAME: 'zero-code' },
      ['--import', '@autobot/tracing/register'],
    );
    try {
      const { url } = await app.waitFor((l) => l.event === 'listening');
      const response = await fetch(`${url}/api/items/5`);
      const traceId = response.headers.get('traceresponse')?.split('-')[1] ?? '';
      const trace = await waitForTrace(collector.queryUrl, traceId, 1);
      expect(trace.spans[0]?.operationName).toBe('HTTP GET /api/items/:id');
      expect(Object.values(trace.processes)[0]?.serviceName).toBe('zero-code');
      await expect
        .poll(() => app.stderr(), { timeout: 5000 })
        .toContain('instrumentation active: fastify apps 1, redis, fetch');
    } finally {
      await app.stop();
    }
  });
});
