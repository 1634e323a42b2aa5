// Cost of span metrics (RED + LLM aggregation + GenAI normalisation) on the ingest path, measured
// in-process on the built collector so the sender and HTTP decoding do not blur it: the same
// batches go into a fresh file store without metrics (baseline) and with them, alternating
// A/B rounds (order alternating); metrics are flushed to SQLite every 2 s of wall time as in the collector.
// Run: node bench/collector/span-metrics.mjs [batches=300] [rounds=3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanMetrics } from '../../packages/collector/dist/metrics/span-metrics.js';
import { TraceStore } from '../../packages/collector/dist/store/store.js';
import { makeSpans } from './gen.mjs';

const [batchCount = '300', roundCount = '3'] = process.argv.slice(2);

function toBatch(spans) {
  const groups = new Map();
  for (const { service, ...s } of spans) {
    let g = groups.get(service);
    if (!g) {
      g = {
        resource: { serviceName: service, attributes: { 'service.name': service } },
        scope: { name: 'bench', version: '', attributes: {} },
        spans: [],
      };
      groups.set(service, g);
    }
    g.spans.push({
      traceState: '',
      statusMessage: '',
      events: [],
      links: [],
      flags: 1,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
      ...s,
    });
  }
  return { groups: [...groups.values()], spanCount: spans.length, rejected: 0, rejectReasons: [] };
}

const baseUs = Date.now() * 1000;
const batches = Array.from({ length: Number(batchCount) }, (_, i) => makeSpans(512, baseUs + i * 512));
const spanTotal = batches.length * 512;

function run(withMetrics) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-span-metrics-'));
  const store = TraceStore.open({ path: join(dir, 'traces.db'), retention: { maxAgeMs: 0, maxBytes: 0 } });
  const metrics = withMetrics ? new SpanMetrics(store.connection) : undefined;
  // Fresh objects per run: the store and normalisation may mutate them.
  const input = batches.map(toBatch);
  const t0 = performance.now();
  let lastFlush = t0;
  // Time inside the metrics calls and inside store.insert, interleaved batch by batch: their
  // ratio is far less sensitive to other load on the machine than two separate runs.
  let metricsMs = 0;
  let storeMs = 0;
  for (const batch of input) {
    const m0 = performance.now();
    metrics?.prepare(batch);
    const s0 = performance.now();
    store.insert(batch);
    const s1 = performance.now();
    metrics?.record(batch);
    if (metrics && s1 - lastFlush > 2000) {
      metrics.flush();
      lastFlush = performance.now();
    }
    storeMs += s1 - s0;
    metricsMs += performance.now() - s1 + (s0 - m0);
  }
  const f0 = performance.now();
  metrics?.flush();
  metricsMs += performance.now() - f0;
  const ms = performance.now() - t0;
  store.close();
  rmSync(dir, { recursive: true, force: true });
  if (metrics) shares.push(metricsMs / storeMs);
  return spanTotal / (ms / 1000);
}
const shares = [];

const a = [];
const b = [];
// Alternate which goes first, so drift on the shared machine does not favour one side.
for (let r = 0; r < Number(roundCount); r++) {
  if (r % 2 === 0) {
    a.push(run(false));
    b.push(run(true));
  } else {
    b.push(run(true));
    a.push(run(false));
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const base = median(a);
const with_ = median(b);
console.log(
  JSON.stringify(
    {
      node: process.version,
      spans: spanTotal,
      rounds: Number(roundCount),
      storeOnlySpansPerSec: Math.round(base),
      storeWithMetricsSpansPerSec: Math.round(with_),
      metricsCostPercent: Number(((1 - with_ / base) * 100).toFixed(1)),
      // Time in metrics calls / time in store.insert, same run, interleaved (median of rounds).
      metricsTimeVsInsertPercent: Number((median(shares) * 100).toFixed(1)),
      allRuns: { storeOnly: a.map(Math.round), withMetrics: b.map(Math.round) },
    },
    null,
    2,
  ),
);
