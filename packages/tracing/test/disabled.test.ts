import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTracingLogger, TracingService } from '../src/index.js';

// A TCP listener standing in for the collector: it only counts connection attempts.
let server: Server;
let connections = 0;
let endpoint = '';

beforeAll(async () => {
  setTracingLogger({ warn: () => {}, info: () => {} });
  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  setTracingLogger(undefined);
  await new Promise((resolve) => server.close(resolve));
});

const exercise = async (service: TracingService) => {
  let ran = 0;
  for (let i = 0; i < 20; i++) service.span('unit.work', () => ran++);
  await service.span('unit.async', async () => ran++);
  await service.forceFlush();
  await new Promise((r) => setTimeout(r, 200));
  return ran;
};

describe('disabled tracing', () => {
  it('attempts no exporter connection and still runs user functions', async () => {
    const service = new TracingService();
    expect(
      service.initialize({ enabled: false, endpoint, handleSignals: false, scheduledDelayMs: 10 }, {}),
    ).toBe(false);
    expect(service.enabled).toBe(false);
    expect(await exercise(service)).toBe(21);
    expect(connections).toBe(0);
    await service.shutdown();
  });

  it('OTEL_SDK_DISABLED=true disables too', () => {
    const service = new TracingService();
    expect(service.initialize({ handleSignals: false }, { OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(service.span('unit.x', () => 'ran')).toBe('ran');
  });

  // The control: the same calls with tracing on do reach the endpoint, so the test above can fail.
  it('enabled tracing does connect to the same endpoint', async () => {
    const service = new TracingService();
    expect(
      service.initialize({ endpoint, handleSignals: false, scheduledDelayMs: 10, exportTimeoutMs: 500 }, {}),
    ).toBe(true);
    await exercise(service);
    await service.shutdown();
    expect(connections).toBeGreaterThan(0);
  });
});
