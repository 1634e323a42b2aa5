import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCollector, startCollector } from '../../src/index.js';
import type { SpanInput, StoredSpan } from '../../src/model.js';
import { batchOf, getJson, makeSpan } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'span-metrics-'));
const dbPath = join(dir, 'traces.db');
const start = (opts = {}) =>
  startCollector({ grpcPort: 0, httpPort: 0, queryPort: 0, dbPath, uiDir: null, ...opts });

// Three whole minutes ending one minute before now, so every figure lies in the default windows.
const endMinute = Math.floor(Date.now() / 60_000) - 1;
const firstMinuteUs = (endMinute - 2) * 60_000_000;
const endTs = (endMinute + 1) * 60_000 - 1;

let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

let c: RunningCollector;
const traceIds = new Set<string>();

beforeAll(async () => {
  c = await start();
  const ops = [
    ['frontend', 'GET /', 2],
    ['frontend', 'POST /chat', 2],
    ['backend', 'chat', 2],
    ['backend', 'redis GET', 3],
  ] as const;
  for (let b = 0; b < 20; b++) {
    const byService = new Map<string, SpanInput[]>();
    for (let i = 0; i < 50; i++) {
      const [svc, name, kind] = ops[Math.floor(rand() * ops.length)] as (typeof ops)[number];
      const span = makeSpan({
        name,
        kind,
        startUs: firstMinuteUs + Math.floor(rand() * 180_000_000),
        // Log-uniform 0.1 ms .. 10 s, so the percentiles are not trivial.
        durationUs: Math.round(100 * 10 ** (rand() * 5)),
        statusCode: rand() < 0.1 ? 2 : rand() < 0.5 ? 1 : 0,
      });
      traceIds.add(span.traceId);
      byService.set(svc, [...(byService.get(svc) ?? []), span]);
    }
    for (const [svc, spans] of byService) {
      const batch = batchOf(svc, spans);
      c.sink.ingest(batch, 0);
      // At-least-once: every fifth batch arrives twice.
      if (b % 5 === 0)
        c.sink.ingest(
          batchOf(
            svc,
            spans.map((s) => ({ ...s, attributes: {} })),
          ),
          0,
        );
    }
  }
});
afterAll(async () => {
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Expected figures computed from the stored spans (duplicates counted once). */
function expected() {
  const seen = new Set<string>();
  const groups = new Map<
    string,
    { calls: number; errors: number; durations: number[]; spans: StoredSpan[] }
  >();
  for (const id of traceIds) {
    for (const s of c.store.getTrace(id) ?? []) {
      if (seen.has(s.spanId)) continue;
      seen.add(s.spanId);
      const key = `${s.serviceName}|${s.name}|${s.kind}`;
      const g = groups.get(key) ?? { calls: 0, errors: 0, durations: [], spans: [] };
      g.calls++;
      if (s.statusCode === 2) g.errors++;
      g.durations.push(s.durationUs);
      g.spans.push(s);
      groups.set(key, g);
    }
  }
  return groups;
}

const exactQuantileMs = (durations: number[], q: number) => {
  const sorted = [...durations].sort((a, b) => a - b);
  return (sorted[Math.floor(q * (sorted.length - 1))] as number) / 1000;
};

describe('RED from spans', () => {
  it('counts calls and errors exactly and keeps p50/p95/p99 within 1 % of the stored durations', async () => {
    const exp = expected();
    // The retried batch reached the collector twice; the store keeps each span once (dropped at
    // ingest) and RED must count it once too.
    expect(c.store.status().spanCount).toBe(1000);
    for (const service of ['frontend', 'backend']) {
      const { status, body } = await getJson(
        c,
        `/api/monitor/operations?service=${service}&spanKind=all&endTs=${endTs}&lookback=${3 * 60_000}`,
      );
      expect(status).toBe(200);
      expect(body.operations.length).toBeGreaterThan(0);
      for (const op of body.operations) {
        const g = exp.get(`${service}|${op.operation}|${op.spanKind}`);
        expect(g, `${service} ${op.operation}`).toBeDefined();
        if (g === undefined) continue;
        expect(op.calls).toBe(g.calls);
        expect(op.errors).toBe(g.errors);
        expect(op.series.calls.reduce((a: number, b: number) => a + b, 0)).toBe(g.calls);
        expect(op.maxMs).toBe(Math.max(...g.durations) / 1000);
        for (const [q, field] of [
          [0.5, 'p50Ms'],
          [0.95, 'p95Ms'],
          [0.99, 'p99Ms'],
        ] as const) {
          const exact = exactQuantileMs(g.durations, q);
          expect(Math.abs(op[field] - exact) / exact).toBeLessThanOrEqual(0.0101);
        }
      }
    }
  });

  it('answers long windows from the hourly rollup with the same counts and percentiles within 1 %', async () => {
    const exp = expected();
    const { body } = await getJson(
      c,
      `/api/monitor/services?spanKind=all&endTs=${endTs}&lookback=${24 * 3600_000}`,
    );
    expect(body.bucketMinutes % 60).toBe(0);
    for (const svc of body.services) {
      const groups = [...exp.entries()].filter(([k]) => k.startsWith(`${svc.service}|`)).map(([, g]) => g);
      expect(svc.calls).toBe(groups.reduce((a, g) => a + g.calls, 0));
      expect(svc.errors).toBe(groups.reduce((a, g) => a + g.errors, 0));
      const p95 = exactQuantileMs(
        groups.flatMap((g) => g.durations),
        0.95,
      );
      expect(Math.abs(svc.p95Ms - p95) / p95).toBeLessThanOrEqual(0.0101);
    }
    expect(body.services).toHaveLength(2);
  });

  it('serves /metrics in the Prometheus text format with span-metrics names and labels', async () => {
    const res = await fetch(`http://127.0.0.1:${c.queryPort}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('# TYPE traces_span_metrics_calls_total counter');
    expect(text).toContain('# TYPE traces_span_metrics_duration_milliseconds histogram');
    const samples = new Map<string, number>();
    for (const line of text.split('\n')) {
      const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
      if (m) samples.set(`${m[1]}{${m[2]}}`, Number(m[3]));
    }
    const exp = expected();
    let total = 0;
    for (const [key, g] of exp) {
      const [svc, name, kind] = key.split('|');
      const kindName = kind === '2' ? 'SPAN_KIND_SERVER' : 'SPAN_KIND_CLIENT';
      let calls = 0;
      let inf = 0;
      for (const status of ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR']) {
        const labels = `service_name="${svc}",span_name="${name}",span_kind="${kindName}",status_code="${status}"`;
        calls += samples.get(`traces_span_metrics_calls_total{${labels}}`) ?? 0;
        inf += samples.get(`traces_span_metrics_duration_milliseconds_bucket{${labels},le="+Inf"}`) ?? 0;
        const le10 = samples.get(`traces_span_metrics_duration_milliseconds_bucket{${labels},le="10"}`) ?? 0;
        const le100 =
          samples.get(`traces_span_metrics_duration_milliseconds_bucket{${labels},le="100"}`) ?? 0;
        expect(le10).toBeLessThanOrEqual(le100);
      }
      expect(calls).toBe(g.calls);
      expect(inf).toBe(g.calls);
      total += calls;
    }
    expect(total).toBe([...exp.values()].reduce((a, g) => a + g.calls, 0));
  });

  it('answers the Jaeger SPM API in Jaeger’s MetricFamily shape', async () => {
    const exp = expected();
    const q = `service=backend&endTs=${endTs}&lookback=120000&step=60000&ratePer=180000`;
    const calls = await getJson(c, `/api/metrics/calls?${q}&groupByOperation=true`);
    expect(calls.status).toBe(200);
    expect(calls.body.name).toBe('service_operation_call_rate');
    expect(calls.body.type).toBe('GAUGE');
    expect(calls.body.help).toBe('calls/sec, grouped by service & operation');
    // Default spanKind is server: only "chat".
    expect(calls.body.metrics).toHaveLength(1);
    const m = calls.body.metrics[0];
    expect(m.labels).toEqual([
      { name: 'operation', value: 'chat' },
      { name: 'service_name', value: 'backend' },
    ]);
    expect(m.metricPoints).toHaveLength(3);
    const last = m.metricPoints[2];
    expect(last.timestamp).toBe(new Date(endTs).toISOString());
    // The last point's window covers all three minutes.
    expect(last.gaugeValue.doubleValue).toBeCloseTo((exp.get('backend|chat|2')?.calls ?? 0) / 180, 9);

    const errors = await getJson(c, `/api/metrics/errors?${q}`);
    expect(errors.body.name).toBe('service_error_rate');
    const g = exp.get('backend|chat|2');
    expect(errors.body.metrics[0].metricPoints[2].gaugeValue.doubleValue).toBeCloseTo(
      (g?.errors ?? 0) / (g?.calls ?? 1),
      9,
    );
    const lat = await getJson(c, `/api/metrics/latencies?${q}&quantile=0.95&spanKind=server&spanKind=client`);
    expect(lat.body.name).toBe('service_latencies');
    expect(lat.body.help).toBe('0.95th quantile latency, grouped by service');
    const allBackend = [...exp.entries()]
      .filter(([k]) => k.startsWith('backend|'))
      .flatMap(([, v]) => v.durations);
    const p95 = exactQuantileMs(allBackend, 0.95);
    expect(
      Math.abs(lat.body.metrics[0].metricPoints[2].gaugeValue.doubleValue - p95) / p95,
    ).toBeLessThanOrEqual(0.0101);
    expect((await getJson(c, '/api/metrics/minstep')).body.data).toBe(60000);
  });

  it('rejects bad SPM and monitor parameters with 400 and a reason', async () => {
    for (const [path, msg] of [
      ['/api/metrics/calls', "unable to parse param 'service'"],
      ['/api/metrics/calls?service=a&step=abc', "unable to parse param 'step'"],
      ['/api/metrics/calls?service=a&spanKind=sideways', "unsupported span kind: 'sideways'"],
      ['/api/metrics/calls?service=a&groupByOperation=maybe', "unable to parse param 'groupByOperation'"],
      ['/api/metrics/latencies?service=a', "unable to parse param 'quantile'"],
      ['/api/metrics/latencies?service=a&quantile=2', "unable to parse param 'quantile'"],
      ['/api/monitor/operations', 'parameter "service" is required'],
      ['/api/monitor/services?lookback=-5', 'parameter "lookback"'],
      ['/api/llm/calls?by=size', 'parameter "by"'],
    ] as const) {
      const { status, body } = await getJson(c, path);
      expect(status, path).toBe(400);
      expect(body.errors[0].msg).toContain(msg);
    }
  });

  it('keeps the figures across a restart', async () => {
    const path = `/api/monitor/services?spanKind=all&endTs=${endTs}&lookback=180000`;
    const before = (await getJson(c, path)).body.services;
    await c.close();
    c = await start();
    const after = (await getJson(c, path)).body.services;
    expect(after).toEqual(before);
    expect(after.map((s: { service: string }) => s.service)).toEqual(['backend', 'frontend']);
  });
});
