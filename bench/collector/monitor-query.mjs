// Response time of the Monitor/LLM endpoints over the span metrics of 1M spans (spread over the
// last 24 h, 5 services × 8 operations, 1 % errors, 5 % LLM calls), on the built collector with
// a file store; 5 requests per endpoint, median and max. Writes bench/results/collector-monitor.json.
// Run: node bench/collector/monitor-query.mjs [spans=1000000] [hours=24] [--force] [--max-load 0.5]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { registerMetricsRoutes } from '../../packages/collector/dist/metrics/routes.js';
import { SpanMetrics } from '../../packages/collector/dist/metrics/span-metrics.js';
import { TraceStore } from '../../packages/collector/dist/store/store.js';
import { QUIET_OPTIONS, quietGate } from '../lib/quiet.mjs';
import { writeResult } from '../lib/results.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: QUIET_OPTIONS });
const [spanCount = '1000000', hours = '24'] = positionals;
const gate = await quietGate(values);
const startedAt = new Date().toISOString();
const SERVICES = [
  'autobot-frontend',
  'autobot-backend',
  'autobot-ai-stack',
  'autobot-npu-worker',
  'autobot-redis',
];
const OPS = [
  'GET /',
  'POST /api/chat',
  'redis GET',
  'redis SET',
  'llm.inference',
  'ssh.exec',
  'npu.inference',
  'pki.issue',
];
const MODELS = ['mistral:7b-instruct', 'llama3.2:3b', 'gpt-4o-mini'];

let seed = 1;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 4294967296;
};
const dir = mkdtempSync(join(tmpdir(), 'bench-monitor-'));
const store = TraceStore.open({ path: join(dir, 'traces.db') });
const metrics = new SpanMetrics(store.connection);
const nowUs = Date.now() * 1000;
const spanUs = (Number(hours) * 3600e6) / Number(spanCount);
const t0 = performance.now();
for (let b = 0; b < Number(spanCount) / 500; b++) {
  const groups = SERVICES.map((svc) => ({ resource: { serviceName: svc }, spans: [] }));
  for (let i = 0; i < 500; i++) {
    const n = b * 500 + i;
    const op = OPS[Math.floor(rnd() * OPS.length)];
    const llm = op === 'llm.inference' && rnd() < 0.4;
    const attributes = llm
      ? {
          'gen_ai.provider.name': 'ollama',
          'gen_ai.request.model': MODELS[n % 3],
          'gen_ai.usage.input_tokens': 400,
          'gen_ai.usage.output_tokens': 120,
          'llm.cost_usd': 0.0001,
          'llm.time_to_first_chunk_ms': 100 + rnd() * 900,
          'llm.eval_duration_ms': 2000,
          ...(n % 20 === 0 ? { 'gen_ai.conversation.id': `conv-${n % 5000}` } : {}),
        }
      : {};
    groups[Math.floor(rnd() * SERVICES.length)]?.spans.push({
      traceId: n.toString(16).padStart(32, '0'),
      spanId: n.toString(16).padStart(16, '0'),
      name: op,
      kind: 1 + Math.floor(rnd() * 3),
      startUs: nowUs - Number(hours) * 3600e6 + n * spanUs,
      durationUs: Math.floor(100 * 10 ** (rnd() * 5)),
      statusCode: rnd() < 0.01 ? 2 : 0,
      attributes,
    });
  }
  metrics.record({ groups });
  if (b % 200 === 0) metrics.flush();
}
metrics.flush();
const fillMs = performance.now() - t0;

const app = Fastify();
registerMetricsRoutes(app, metrics);
const paths = [
  '/api/monitor/services?spanKind=all&lookback=3600000',
  '/api/monitor/services?spanKind=all&lookback=86400000',
  '/api/monitor/operations?service=autobot-backend&spanKind=all&lookback=86400000',
  '/api/llm/models?lookback=86400000',
  '/api/llm/calls?by=duration&limit=20',
  '/api/llm/conversations?limit=50',
  '/api/metrics/latencies?service=autobot-backend&quantile=0.95&lookback=3600000&step=60000',
];
const results = {};
for (const path of paths) {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    const res = await app.inject({ method: 'GET', url: path });
    if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  results[path] = { medianMs: Number(times[2].toFixed(1)), maxMs: Number(times[4].toFixed(1)) };
}
const rows = store.connection.prepare('SELECT COUNT(*) AS n FROM red_minutes').get().n;
const record = {
  node: process.version,
  startedAt,
  ...gate,
  loadavgAfter: loadavg(),
  spans: Number(spanCount),
  hours: Number(hours),
  redRows: rows,
  fillMs: Math.round(fillMs),
  results,
};
// bench/report.mjs renders this (issue 17: each page's API answers within 200 ms over 1M spans).
writeResult('collector-monitor', record);
console.log(JSON.stringify(record, null, 2));
await app.close();
store.close();
rmSync(dir, { recursive: true, force: true });
