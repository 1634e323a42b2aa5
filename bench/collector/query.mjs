// Query benchmark over a store of N spans (default 1,000,000) filled by direct store insertion,
// then queried over HTTP on a collector process. Run:
//   node bench/collector/query.mjs [spans=1000000] [runs=40]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceStore } from '../../packages/collector/dist/index.js';
import { startCollectorProcess, stopProcess } from '../lib/procs.mjs';
import { writeResult } from '../lib/results.mjs';
import { makeSpans } from './gen.mjs';

const startedAt = new Date().toISOString();

const total = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 40);
const dir = mkdtempSync(join(tmpdir(), 'bench-query-'));
const db = join(dir, 'traces.db');

function toBatch(spans) {
  const groups = new Map();
  for (const s of spans) {
    let g = groups.get(s.service);
    if (!g) {
      g = {
        resource: {
          serviceName: s.service,
          attributes: { 'service.name': s.service, 'host.name': 'bench-host' },
        },
        scope: { name: 'bench', version: '', attributes: {} },
        spans: [],
      };
      groups.set(s.service, g);
    }
    g.spans.push({
      traceId: s.traceId,
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      traceState: '',
      name: s.name,
      kind: s.kind,
      startUs: s.startUs,
      durationUs: s.durationUs,
      statusCode: s.statusCode,
      statusMessage: '',
      attributes: s.attributes,
      events: [],
      links: [],
      flags: 0,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    });
  }
  return { groups: [...groups.values()], spanCount: spans.length, rejected: 0, rejectReasons: [] };
}

try {
  // 1. Fill the store: one hour of spans ending now; a rare "needle" at the very start.
  const store = TraceStore.open({ path: db, retention: { maxAgeMs: 0, maxBytes: 0 } });
  const endUs = Date.now() * 1000;
  const startUs = endUs - 3600e6;
  const step = 3600e6 / total;
  const needle = makeSpans(8, startUs);
  needle[3].attributes['ssh.target_vm'] = 'needle-vm';
  store.insert(toBatch(needle));
  const t0 = performance.now();
  let insertMs = 0;
  for (let done = 8; done < total; done += 512) {
    const spans = makeSpans(Math.min(512, total - done), Math.round(startUs + done * step));
    for (let i = 0; i < spans.length; i++) spans[i].startUs = Math.round(startUs + (done + i) * step);
    const batch = toBatch(spans);
    const t = performance.now();
    store.insert(batch);
    insertMs += performance.now() - t;
    if (done % 102400 < 512) process.stderr.write(`\rfilled ${done} spans`);
  }
  const status = store.status();
  store.close();
  process.stderr.write(
    `\rfilled ${status.spanCount} spans in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );

  // 2. Query it over HTTP.
  const collector = await startCollectorProcess({
    db,
    extraArgs: ['--no-ui', '--retention-age', '0', '--retention-size', '0'],
  });
  const base = collector.query;
  const cases = [
    [
      'search: llm.duration_ms > 5000',
      `/api/search?q=${encodeURIComponent('llm.duration_ms > 5000')}&limit=20`,
    ],
    [
      'jaeger: service + tags (JSON)',
      `/api/traces?service=autobot-ai-stack&tags=${encodeURIComponent('{"ssh.target_vm":"frontend"}')}&limit=20`,
    ],
    [
      'search: ssh.target_vm = frontend',
      `/api/search?q=${encodeURIComponent('ssh.target_vm = frontend')}&limit=20`,
    ],
    [
      'search: rare llm.duration_ms > 7995',
      `/api/search?q=${encodeURIComponent('llm.duration_ms > 7995')}&limit=20`,
    ],
    [
      'search: needle (1 span, oldest block)',
      `/api/search?q=${encodeURIComponent('ssh.target_vm = needle-vm')}&limit=20`,
    ],
    [
      'search: no match (value absent)',
      `/api/search?q=${encodeURIComponent('ssh.target_vm = nowhere')}&limit=20`,
    ],
    [
      'search: service + duration + status',
      `/api/search?q=${encodeURIComponent('service = autobot-browser and duration > 1.9s and status = error')}&limit=20`,
    ],
    ['jaeger: trace by id', null],
    [
      'search: regex, rare (no pruning)',
      `/api/search?q=${encodeURIComponent('user.id =~ "user-99999.*"')}&limit=20`,
    ],
  ];
  const results = [];
  let someTrace;
  for (const [name, pathOrNull] of cases) {
    const path = pathOrNull ?? `/api/traces/${someTrace}`;
    const times = [];
    let count = 0;
    for (let i = 0; i < runs + 3; i++) {
      const t = performance.now();
      const res = await fetch(base + path);
      const body = await res.json();
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status} ${JSON.stringify(body)}`);
      count = body.data.length;
      someTrace ??= body.data[0]?.traceID;
      if (i >= 3) times.push(ms);
    }
    times.sort((a, b) => a - b);
    const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
    results.push({ query: name, results: count, p50ms: Number(q(0.5)), p95ms: Number(q(0.95)) });
  }
  await stopProcess(collector.proc);
  const record = {
    node: process.version,
    spans: status.spanCount,
    traces: status.traceCount,
    blocks: status.blockCount,
    dbMB: Math.round(status.sizeBytes / 1e6),
    directInsertSpansPerSec: Math.round(status.spanCount / (insertMs / 1000)),
    runs,
    results,
  };
  record.startedAt = startedAt;
  // bench/report.mjs renders RESULTS.md from this file (figures and verdicts).
  writeResult('collector-query', record);
  console.log(JSON.stringify(record, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
