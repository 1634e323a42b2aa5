import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  QUERY_WORKERS_ENV,
  type RunningCollector,
  resolveQueryWorkers,
  resolveSpanMetrics,
  SPAN_METRICS_ENV,
  startCollector,
} from '../src/index.js';
import { batchOf, getJson, makeSpan } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'serve-options-'));
let c: RunningCollector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = (name: string, opts: Parameters<typeof startCollector>[0]) =>
  startCollector({
    grpcPort: 0,
    httpPort: 0,
    queryPort: 0,
    dbPath: join(dir, `${name}.db`),
    uiDir: null,
    ...opts,
  });

// One minute ago, inside the monitor's window that ends at `endTs`.
const recentUs = () => (Math.floor(Date.now() / 60_000) - 1) * 60_000_000 + 1000;
const monitorPath = () =>
  `/api/monitor/services?spanKind=all&endTs=${Date.now() + 60_000}&lookback=${10 * 60_000}`;

describe('span metrics switch', () => {
  it('is on by default, off with the flag, else from AUTOBOT_COLLECTOR_SPAN_METRICS', () => {
    const warnings: string[] = [];
    expect(resolveSpanMetrics(undefined, {}, warnings)).toBe(true);
    expect(resolveSpanMetrics(true, { [SPAN_METRICS_ENV]: 'true' }, warnings)).toBe(false);
    expect(resolveSpanMetrics(undefined, { [SPAN_METRICS_ENV]: 'false' }, warnings)).toBe(false);
    expect(resolveSpanMetrics(undefined, { [SPAN_METRICS_ENV]: 'off' }, warnings)).toBe(false);
    expect(resolveSpanMetrics(undefined, { [SPAN_METRICS_ENV]: '1' }, warnings)).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('warns about an invalid variable, naming it, the value and the fallback', () => {
    const warnings: string[] = [];
    expect(resolveSpanMetrics(undefined, { [SPAN_METRICS_ENV]: 'sometimes' }, warnings)).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('AUTOBOT_COLLECTOR_SPAN_METRICS="sometimes"');
    expect(warnings[0]).toContain('expected true or false');
    expect(warnings[0]).toContain('using true');
  });

  it('off: ingest stores and normalises spans but counts no RED figures', async () => {
    c = await start('no-metrics', { spanMetrics: false });
    const span = makeSpan({
      name: 'chat',
      startUs: recentUs(),
      attributes: { 'llm.model_name': 'm1', 'llm.provider': 'ollama' },
    });
    c.sink.ingest(batchOf('svc-off', [span]), 0);
    expect(c.store.status().spanCount).toBe(1);
    // Normalisation is not a metric: it still adds the current GenAI keys.
    const stored = c.store.getTrace(span.traceId);
    expect(stored?.[0]?.attributes).toMatchObject({
      'gen_ai.provider.name': 'ollama',
      'gen_ai.request.model': 'm1',
    });
    const { body } = await getJson(c, monitorPath());
    expect(body.services).toEqual([]);
  });

  it('on: the same ingest is counted', async () => {
    c = await start('metrics', {});
    c.sink.ingest(batchOf('svc-on', [makeSpan({ name: 'chat', startUs: recentUs() })]), 0);
    const { body } = await getJson(c, monitorPath());
    expect(body.services.map((s: { service: string }) => s.service)).toEqual(['svc-on']);
  });
});

describe('search workers', () => {
  it('default 2, the flag wins, else AUTOBOT_COLLECTOR_QUERY_WORKERS (0 allowed)', () => {
    const warnings: string[] = [];
    expect(resolveQueryWorkers(undefined, {}, warnings)).toBe(2);
    expect(resolveQueryWorkers(3, { [QUERY_WORKERS_ENV]: '1' }, warnings)).toBe(3);
    expect(resolveQueryWorkers(undefined, { [QUERY_WORKERS_ENV]: '0' }, warnings)).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('warns about an invalid variable, naming it, the value and the fallback', () => {
    for (const raw of ['many', '-1', '65', '1.5']) {
      const warnings: string[] = [];
      expect(resolveQueryWorkers(undefined, { [QUERY_WORKERS_ENV]: raw }, warnings)).toBe(2);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`AUTOBOT_COLLECTOR_QUERY_WORKERS=${JSON.stringify(raw)}`);
      expect(warnings[0]).toContain('a whole number from 0 to 64');
      expect(warnings[0]).toContain('using 2 workers');
    }
  });

  it('rejects a bad queryWorkers option in code', async () => {
    for (const queryWorkers of [-1, 1.5, 65]) {
      await expect(start('bad-workers', { queryWorkers })).rejects.toMatchObject({
        code: 'AUTOBOT_ERR_COLLECTOR_INVALID_OPTION',
      });
    }
  });

  it('0 answers searches of a file store on the main thread, with the same results', async () => {
    c = await start('inline', { queryWorkers: 0 });
    c.store.insert(
      batchOf('inline-svc', [makeSpan({ name: 'needle', attributes: { 'ssh.target_vm': 'frontend' } })]),
    );
    const { status, body } = await getJson(
      c,
      `/api/search?q=${encodeURIComponent('ssh.target_vm = frontend')}`,
    );
    expect(status).toBe(200);
    expect(body.traces ?? body.data ?? body).toHaveLength(1);
  });
});
