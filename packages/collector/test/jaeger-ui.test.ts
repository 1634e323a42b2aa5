import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../src/index.js';
import type { SpanInput } from '../src/model.js';
import { batchOf, getJson, makeSpan, startTestCollector } from './helpers.js';

/**
 * The requests the real Jaeger UI makes, byte for byte as it sent them to this collector in
 * docs/jaeger-ui/README.md (jaeger-ui commit c321fb32), and the fields its code reads back. The
 * readers below are condensed from the UI's own code, cited at each one, so a change of shape
 * that would blank a page fails here.
 */

let c: RunningCollector;
const nowMs = Date.now();
const endTs = nowMs;

beforeAll(async () => {
  c = await startTestCollector();
  // frontend: a SERVER operation and a CLIENT one, over the last 5 minutes, 1 in 5 server calls failing.
  const spans: SpanInput[] = [];
  for (let i = 0; i < 100; i++) {
    const startUs = (nowMs - 300_000 + i * 2_900) * 1000;
    spans.push(
      makeSpan({
        name: 'HTTP GET /dispatch',
        kind: 2,
        startUs,
        durationUs: 200_000 + i * 1000,
        statusCode: i % 5 === 0 ? 2 : 0,
      }),
    );
    spans.push(makeSpan({ name: 'HTTP GET /customer', kind: 3, startUs: startUs + 10, durationUs: 50_000 }));
  }
  c.sink.ingest(batchOf('frontend', spans), 0);
});
afterAll(async () => {
  await c.close();
});

// jaeger-ui packages/jaeger-ui/src/api/jaeger.ts fetchMetrics: `service=<name>&` + the sorted
// query-string of the payload built in src/components/Monitor/ServicesView/index.tsx (endTs,
// lookback, step 60000, ratePer 600000, spanKind, and quantile 0.95 — sent to calls and errors too);
// src/actions/jaeger-api.ts adds quantile 0.5/0.75 and groupByOperation=true.
function uiQuery(service: string, spanKind: string, extra: Record<string, string | number | boolean> = {}) {
  const payload: Record<string, string | number | boolean> = {
    endTs,
    lookback: 3_600_000,
    step: 60_000,
    ratePer: 600_000,
    spanKind,
    quantile: 0.95,
    ...extra,
  };
  // query-string's stringify sorts the keys.
  const rest = Object.keys(payload)
    .sort()
    .map((k) => `${k}=${encodeURIComponent(String(payload[k]))}`)
    .join('&');
  return `service=${service}&${rest}`;
}

interface MetricFamily {
  name: string;
  metrics: {
    labels: { name: string; value: string }[];
    metricPoints: { gaugeValue: { doubleValue: number }; timestamp: string }[];
  }[];
}

/** jaeger-ui src/reducers/metrics.ts fetchServiceMetricsDone, for one fulfilled response. */
function readServiceMetric(f: MetricFamily) {
  const first = f.metrics[0];
  if (first === undefined) return null;
  return {
    name: f.name,
    serviceName: first.labels[0]?.value,
    points: first.metricPoints.map((p) => ({
      x: new Date(p.timestamp).getTime(),
      y: Number.parseFloat(p.gaugeValue.doubleValue.toFixed(2)),
    })),
  };
}

/** jaeger-ui src/reducers/metrics.ts fetchOpsMetricsDone: operations by their `operation` label. */
function readOpsMetric(f: MetricFamily) {
  const ops = new Map<string, number[]>();
  for (const m of f.metrics) {
    const op = m.labels.find((l) => l.name === 'operation')?.value;
    if (op)
      ops.set(
        op,
        m.metricPoints.map((p) => Number.parseFloat(p.gaugeValue.doubleValue.toFixed(2))),
      );
  }
  return ops;
}

describe('Jaeger UI Monitor tab (SPM API)', () => {
  it('answers the five service-level requests with the families the reducer files by name', async () => {
    const requests = [
      ['latencies', uiQuery('frontend', 'server', { quantile: 0.5 }), 'service_latencies'],
      ['latencies', uiQuery('frontend', 'server', { quantile: 0.75 }), 'service_latencies'],
      ['latencies', uiQuery('frontend', 'server'), 'service_latencies'],
      ['calls', uiQuery('frontend', 'server'), 'service_call_rate'],
      ['errors', uiQuery('frontend', 'server'), 'service_error_rate'],
    ] as const;
    for (const [kind, query, name] of requests) {
      const res = await getJson(c, `/api/metrics/${kind}?${query}`);
      expect(res.status, `${kind}?${query}`).toBe(200);
      const read = readServiceMetric(res.body);
      expect(read?.name).toBe(name);
      // The reducer takes the service name from the first label.
      expect(read?.serviceName).toBe('frontend');
      expect(read?.points.length).toBeGreaterThan(0);
      for (const p of read?.points ?? []) {
        expect(Number.isFinite(p.x)).toBe(true);
        expect(Number.isFinite(p.y)).toBe(true);
      }
    }
    // Latency in ms (the chart is labelled "Latency (ms)"), error rate a fraction the UI turns into %.
    const p95 = readServiceMetric(
      (await getJson(c, `/api/metrics/latencies?${uiQuery('frontend', 'server')}`)).body,
    );
    expect(Math.max(...(p95?.points ?? []).map((p) => p.y))).toBeGreaterThan(200);
    expect(Math.max(...(p95?.points ?? []).map((p) => p.y))).toBeLessThan(400);
    const err = readServiceMetric(
      (await getJson(c, `/api/metrics/errors?${uiQuery('frontend', 'server')}`)).body,
    );
    expect(err?.points.at(-1)?.y).toBeCloseTo(0.2, 1);
  });

  it('answers the operations-table requests with service_operation_* families labelled by operation', async () => {
    const expectations = [
      ['latencies', 'service_operation_latencies'],
      ['calls', 'service_operation_call_rate'],
      ['errors', 'service_operation_error_rate'],
    ] as const;
    for (const [kind, name] of expectations) {
      const res = await getJson(
        c,
        `/api/metrics/${kind}?${uiQuery('frontend', 'server', { groupByOperation: true })}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.name).toBe(name);
      const ops = readOpsMetric(res.body);
      expect([...ops.keys()]).toEqual(['HTTP GET /dispatch']);
      expect(ops.get('HTTP GET /dispatch')?.length).toBeGreaterThan(0);
    }
    // The Span Kind selector switches to client spans.
    const client = await getJson(
      c,
      `/api/metrics/calls?${uiQuery('frontend', 'client', { groupByOperation: true })}`,
    );
    expect([...readOpsMetric(client.body).keys()]).toEqual(['HTTP GET /customer']);
  });

  it('answers a service without data in the window with an empty family, which the UI shows as "No data yet"', async () => {
    const res = await getJson(c, `/api/metrics/latencies?${uiQuery('nobody', 'server')}`);
    expect(res.status).toBe(200);
    expect(res.body.metrics).toEqual([]);
  });
});

describe('Jaeger UI Upload tab (POST /api/transform)', () => {
  const traceId = 'ab'.repeat(16);
  const otlp = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'uploaded' } }] },
        scopeSpans: [
          {
            scope: { name: 's' },
            spans: [
              {
                traceId,
                spanId: '01'.repeat(8),
                name: 'GET /upload',
                kind: 2,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000400000000',
                attributes: [{ key: 'big', value: { intValue: '9007199254740993' } }],
              },
              {
                traceId,
                spanId: '02'.repeat(8),
                parentSpanId: '01'.repeat(8),
                name: 'child',
                kind: 3,
                startTimeUnixNano: '1700000000100000000',
                endTimeUnixNano: '1700000000200000000',
                status: { code: 2 },
              },
            ],
          },
        ],
      },
    ],
  };
  const post = (body: string, type = 'text/plain;charset=UTF-8') =>
    fetch(`http://127.0.0.1:${c.queryPort}/api/transform`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });

  it('turns an OTLP/JSON file into v1 traces, sent as the UI sends it (text/plain), storing nothing', async () => {
    // jaeger-ui src/utils/readJsonFile.ts → src/api/jaeger.ts transformOTLP: fetch with a string
    // body and no content type, so text/plain. The UI resolves with the `{data: [trace]}` document.
    for (const type of ['text/plain;charset=UTF-8', 'application/json']) {
      const res = await post(JSON.stringify(otlp), type);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('"value":9007199254740993'); // int64 kept exact
      const body = JSON.parse(text);
      expect(body.errors).toBeNull();
      expect(body.data).toHaveLength(1);
      const [trace] = body.data;
      expect(trace.traceID).toBe(traceId);
      expect(trace.spans.map((s: { operationName: string }) => s.operationName).sort()).toEqual([
        'GET /upload',
        'child',
      ]);
      expect(Object.values(trace.processes).map((p) => (p as { serviceName: string }).serviceName)).toEqual([
        'uploaded',
      ]);
    }
    expect((await getJson(c, '/api/services')).body.data).not.toContain('uploaded');
  });

  it('answers a body that is not OTLP/JSON with a v1 error document (400)', async () => {
    const res = await post('not json');
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errors[0].code).toBe(400);
    expect(body.errors[0].msg).toMatch(/malformed JSON/);
  });
});
