// Ingest cost per piece, in process: CPU µs per span of protobuf decode, GenAI normalisation,
// store insert (duplicate check, rows, attribute JSON, block index, trace rows, commit) and the
// RED/LLM record, over the same pre-encoded batches as ingest.mjs (512 spans × 10 attributes).
// CPU time (process.cpuUsage) rather than wall time, so other load moves the figures less;
// `insertWall` (not in `total`) is the inserts' wall time, which WAL checkpoint syncs add to.
//
//   node bench/collector/ingest-pieces.mjs [batches=300] [--rounds 3] [--dist <collector dist dir>]... [--decode-only]
// Several --dist (e.g. a build of an older commit: `git archive <rev> packages/collector | tar -x`,
// then `tsc -p packages/collector`) are measured alternately, round by round; default: this
// checkout's build. One JSON line per build and round, then the medians. `--decode-only` times the
// protobuf decode alone (no store, no metrics), for comparing decoder builds in a few seconds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from '../lib/stats.mjs';
import { encodeBatch } from './encode.mjs';
import { makeSpans } from './gen.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    dist: { type: 'string', multiple: true },
    'decode-only': { type: 'boolean', default: false },
  },
});
const batches = Number(positionals[0] ?? 300);
const dists = (values.dist ?? [join(here, '../../packages/collector/dist')]).map((d) => resolve(d));

const nowUs = Date.now() * 1000;
const payloads = [];
for (let b = 0; b < batches; b++) payloads.push(encodeBatch(makeSpans(512, nowUs + b * 512)));

const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

/** One pass of every payload through a fresh store of the build in `dist`. */
async function measure(dist) {
  const load = (path) => import(pathToFileURL(join(dist, path)).href);
  // Older builds had one decode module.
  const decoder = await load('otlp/decode-protobuf.js').catch(() => load('otlp/decode.js'));
  if (values['decode-only']) return measureDecode(decoder);
  const { TraceStore } = await load('store/store.js');
  const metricsModule = await load('metrics/span-metrics.js').catch(() => null);
  const dir = mkdtempSync(join(tmpdir(), 'ingest-pieces-'));
  try {
    const store = TraceStore.open({ path: join(dir, 'traces.db') });
    const metrics = metricsModule ? new metricsModule.SpanMetrics(store.connection) : undefined;
    const ns = { decode: 0, normalise: 0, insert: 0, red: 0 };
    // Wall time of the inserts besides their CPU: a WAL checkpoint's syncs block the ingest thread
    // without using CPU.
    let insertWallMs = 0;
    let spans = 0;
    for (const body of payloads) {
      let t = cpuNs();
      const batch = decoder.decodeProtobufRequest(body);
      let u = cpuNs();
      ns.decode += u - t;
      t = u;
      metrics?.prepare(batch);
      u = cpuNs();
      ns.normalise += u - t;
      t = u;
      const wall = performance.now();
      store.insert(batch);
      insertWallMs += performance.now() - wall;
      u = cpuNs();
      ns.insert += u - t;
      t = u;
      metrics?.record(batch);
      ns.red += cpuNs() - t;
      spans += batch.spanCount;
    }
    metrics?.close();
    store.close();
    const perSpan = Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, v / 1000 / spans]));
    perSpan.total = Object.values(perSpan).reduce((a, b) => a + b, 0);
    perSpan.insertWall = (insertWallMs * 1000) / spans;
    return perSpan;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One pass of every payload through the decoder alone. */
function measureDecode(decoder) {
  let spans = 0;
  const t = cpuNs();
  for (const body of payloads) spans += decoder.decodeProtobufRequest(body).spanCount;
  return { decode: (cpuNs() - t) / 1000 / spans };
}

const fixed = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v.toFixed(2))]));

const runs = new Map(dists.map((d) => [d, []]));
for (let r = 0; r < Number(values.rounds); r++) {
  for (const dist of dists) {
    const result = await measure(dist);
    runs.get(dist).push(result);
    console.error(JSON.stringify({ dist, round: r, ...fixed(result) }));
  }
}
for (const [dist, list] of runs) {
  const keys = Object.keys(list[0]);
  const med = Object.fromEntries(keys.map((k) => [k, median(list.map((x) => x[k]))]));
  console.log(JSON.stringify({ dist, batches, spansPerRound: batches * 512, medianUsPerSpan: fixed(med) }));
}
