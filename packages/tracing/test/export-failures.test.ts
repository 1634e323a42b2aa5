import { freePort } from '@autobot/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTracingLogger, TracingService } from '../src/index.js';

// A collector that is not there: nothing listens on the port.
const warnings: string[] = [];
let endpoint = '';
beforeAll(async () => {
  endpoint = `http://127.0.0.1:${await freePort()}`;
  setTracingLogger({ warn: (m) => warnings.push(m), info: () => {} });
});
afterAll(() => setTracingLogger(undefined));

describe('a dead collector', () => {
  it('costs no failed call, bounds the queue, counts drops and failures, and reports them once per interval', async () => {
    const tracing = new TracingService();
    tracing.initialize(
      {
        endpoint,
        handleSignals: false,
        maxQueueSize: 50,
        maxExportBatchSize: 10,
        scheduledDelayMs: 10,
        exportTimeoutMs: 300,
        reportIntervalMs: 200,
        shutdownTimeoutMs: 1000,
      },
      {},
    );
    let ran = 0;
    for (let i = 0; i < 500; i++) tracing.span('unit.work', () => ran++);
    expect(ran).toBe(500);
    await expect.poll(() => tracing.stats().failed, { timeout: 5000 }).toBeGreaterThan(0);
    const stats = tracing.stats();
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.queued).toBeLessThanOrEqual(50);
    expect(stats.exported).toBe(0);
    await expect
      .poll(() => warnings.filter((w) => w.includes('failed to export')).length, { timeout: 3000 })
      .toBeGreaterThan(0);
    // once per interval, not per span: far fewer lines than failed spans
    const lines = warnings.filter((w) => w.includes('failed to export'));
    expect(lines.length).toBeLessThan(10);
    expect(lines[0]).toContain(endpoint);
    expect(lines[0]).toMatch(/were dropped \(queue full at 50\)/);
    await tracing.shutdown();
  });
});
