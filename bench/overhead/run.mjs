// Request overhead: the A → B pair (Redis GET + one downstream HTTP call) in every tracing
// configuration, driven by autocannon from a separate process, configurations alternated round
// by round in the same run. Writes bench/results/overhead-node<major>.json (scaling-… with --scaling).
//
//   node bench/overhead/run.mjs [--rounds 12] [--duration 2] [--connections 20] [--scaling]
//        [--node <path>] [--force] [--max-load 0.5] [--settle-wait 180]
// --node (or AUTOBOT_BENCH_NODE) runs services A and B under that Node binary; results go to
// bench/results/overhead-node<major>.json (scaling-node<major>.json), one file per Node major.
// Before measuring it waits up to --settle-wait seconds for the 1-minute load average to fall
// below --max-load, and measures nothing (exit 3) if it does not, unless --force.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPair } from '../lib/app-pair.mjs';
import { runLoad } from '../lib/load-client.mjs';
import { startOtlpSink } from '../lib/otlp-sink.mjs';
import {
  benchNode,
  cpuTimeUs,
  ROOT,
  sampleRss,
  settle,
  sleep,
  startRedis,
  stopAll,
  stopProcess,
} from '../lib/procs.mjs';
import { hostCpuTimes, QUIET_OPTIONS, quietGate, stealPercent } from '../lib/quiet.mjs';
import { perNodeName } from '../lib/results.mjs';
import { median } from '../lib/stats.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '12' },
    duration: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '20' },
    scaling: { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
    node: { type: 'string' },
    ...QUIET_OPTIONS,
  },
});
const node = benchNode(values.node);
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const warmup = Number(values.warmup);

const CONFIGS = values.scaling
  ? [
      { id: 'untraced', trace: 'none' },
      { id: 'ours@1.0', trace: 'ours', rate: 1 },
      { id: 'auto@1.0', trace: 'auto', rate: 1 },
    ]
  : [
      { id: 'untraced', trace: 'none' },
      { id: 'ours@0', trace: 'ours', rate: 0 },
      { id: 'ours@0.1', trace: 'ours', rate: 0.1 },
      { id: 'ours@1.0', trace: 'ours', rate: 1 },
      { id: 'auto@1.0', trace: 'auto', rate: 1 },
    ];
if (values.only) {
  const keep = new Set(['untraced', ...values.only.split(',')]);
  for (let i = CONFIGS.length - 1; i >= 0; i--) if (!keep.has(CONFIGS[i].id)) CONFIGS.splice(i, 1);
}
const CONNECTIONS = values.scaling ? [20, 40, 80] : [Number(values.connections)];

const log = (...args) => process.stderr.write(`${args.join(' ')}\n`);

const cleanup = () => stopAll();
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

const { quiet, maxLoad } = await quietGate(values, log);

try {
  const startedAt = new Date();
  const loadBefore = loadavg();
  log(`services run under ${node.path} (${node.version})`);
  const redis = await startRedis();
  // The exports go to a counting OTLP/HTTP sink standing in for the collector, which runs on
  // another VM in production: on this 2-core machine storing the spans would take CPU from the
  // services under test. The sink counts every span (so nothing lost is checked), decodes a
  // sample of the requests in full and stores nothing; it is niced, its CPU per request is
  // recorded beside the pair's, and the collector's own ingest rate is measured in bench/collector.
  const collector = await startOtlpSink({ nice: 10 });
  log(`OTLP sink ${collector.httpUrl}, redis ${redis.url}`);

  const pairs = [];
  for (const config of CONFIGS)
    pairs.push(await startPair(config, { collector, redisUrl: redis.url, node: node.path }));
  const requestsSent = new Map(CONFIGS.map((c) => [c.id, 0]));
  const count = (id, r) => requestsSent.set(id, requestsSent.get(id) + r.ok + r.non2xx + r.errors);

  for (const pair of pairs) {
    log(`warm-up ${pair.config.id}`);
    count(pair.config.id, await runLoad(`${pair.url}/api/work/42`, { connections: 20, duration: warmup }));
  }

  const runs = [];
  for (const connections of CONNECTIONS) {
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round so no configuration always runs first or last.
      const order = pairs.map((_, i) => pairs[(i + round) % pairs.length]);
      for (const pair of order) {
        const pids = [pair.a.child.pid, pair.b.child.pid, collector.proc.child.pid];
        const rss = sampleRss(pids);
        const cpuBefore = pids.map(cpuTimeUs);
        const hostBefore = hostCpuTimes();
        const result = await runLoad(`${pair.url}/api/work/42`, { connections, duration });
        const cpuAfter = pids.map(cpuTimeUs);
        const stolen = stealPercent(hostBefore, hostCpuTimes());
        const peaks = rss.stop();
        const served = result.ok + result.non2xx;
        count(pair.config.id, result);
        const run = {
          config: pair.config.id,
          connections,
          round,
          ...result,
          rssA: peaks.get(pair.a.child.pid),
          rssB: peaks.get(pair.b.child.pid),
          // CPU time per request: robust to a busy machine, unlike req/s.
          cpuUsPerReqA: (cpuAfter[0] - cpuBefore[0]) / served,
          cpuUsPerReqB: (cpuAfter[1] - cpuBefore[1]) / served,
          // The stand-in for the remote collector shares the cores: what it took per request.
          cpuUsPerReqSink: (cpuAfter[2] - cpuBefore[2]) / served,
          // CPU time the hypervisor gave to other guests during this run (noise no load average shows).
          stealPercent: stolen,
        };
        runs.push(run);
        log(
          `c=${connections} round ${round} ${pair.config.id.padEnd(9)} ${run.reqPerSec.toFixed(0)} req/s p50 ${run.p50} p99 ${run.p99} ms, cpu/req A ${run.cpuUsPerReqA.toFixed(0)} B ${run.cpuUsPerReqB.toFixed(0)} sink ${run.cpuUsPerReqSink.toFixed(0)} µs, rss A ${(run.rssA / 2 ** 20).toFixed(0)} MB, steal ${stolen ?? '?'} %, errors ${run.errors} non2xx ${run.non2xx}`,
        );
        await sleep(300);
      }
    }
  }

  const exportStats = {};
  for (const pair of pairs) {
    if (pair.config.trace === 'ours') exportStats[pair.config.id] = await pair.metrics().catch(() => null);
  }
  // SIGTERM flushes what is still queued; then wait for the sink to count the last batch.
  for (const pair of pairs) await pair.stop();
  await settle(async () => (await collector.counts()).spans, 1500, 30_000);
  const received = await collector.counts();
  const stored = received.spansByService;
  await stopProcess(collector.proc);
  await stopProcess(redis.proc);

  const summary = [];
  for (const connections of CONNECTIONS) {
    const base = runs.filter((r) => r.config === 'untraced' && r.connections === connections);
    for (const config of CONFIGS) {
      const mine = runs.filter((r) => r.config === config.id && r.connections === connections);
      const ratios = mine.map((r) => r.reqPerSec / base.find((b) => b.round === r.round).reqPerSec);
      const pair = pairs.find((p) => p.config.id === config.id);
      const spans = pair.services.reduce((n, s) => n + (stored[s] ?? 0), 0);
      summary.push({
        config: config.id,
        connections,
        reqPerSec: median(mine.map((r) => r.reqPerSec)),
        p50: median(mine.map((r) => r.p50)),
        p99: median(mine.map((r) => r.p99)),
        rssA: Math.max(...mine.map((r) => r.rssA)),
        rssB: Math.max(...mine.map((r) => r.rssB)),
        ratio: median(ratios),
        cpuUsPerReqA: median(mine.map((r) => r.cpuUsPerReqA)),
        cpuUsPerReqB: median(mine.map((r) => r.cpuUsPerReqB)),
        cpuUsPerReq: median(mine.map((r) => r.cpuUsPerReqA + r.cpuUsPerReqB)),
        cpuUsPerReqSink: median(mine.map((r) => r.cpuUsPerReqSink)),
        ratios,
        errors: mine.reduce((n, r) => n + r.errors + r.non2xx, 0),
        requestsSent: requestsSent.get(config.id),
        spansStored: spans,
        spansPerRequest: spans / requestsSent.get(config.id),
        spansByService: Object.fromEntries(pair.services.map((s) => [s, stored[s] ?? 0])),
        exportStats: exportStats[config.id] ?? null,
      });
    }
  }
  const out = {
    kind: values.scaling ? 'scaling' : 'overhead',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    // The Node version of the measured services (A and B), not of this harness.
    node: node.version,
    nodePath: node.path,
    harnessNode: process.version,
    quiet,
    forced: !quiet,
    maxLoad,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    loadavgBefore: loadBefore,
    loadavgAfter: loadavg(),
    rounds,
    durationS: duration,
    warmupS: warmup,
    // What the counting sink received (it stands in for the collector; see above).
    receiver: {
      kind: 'counting OTLP/HTTP sink (bench/lib/otlp-sink-server.mjs)',
      requests: received.requests,
      spans: received.spans,
      failedRequests: received.failedRequests,
      rejectedSpans: received.rejectedSpans,
      checkedRequests: received.checkedRequests,
      checkMismatches: received.checkMismatches,
    },
    summary,
    runs,
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file =
    values.out ??
    join(ROOT, `bench/results/${perNodeName(values.scaling ? 'scaling' : 'overhead', node.version)}.json`);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  for (const s of summary) {
    log(
      `${String(s.connections).padStart(3)}c ${s.config.padEnd(9)} ${s.reqPerSec.toFixed(0).padStart(6)} req/s  x${s.ratio.toFixed(3)}  p50 ${s.p50} p99 ${s.p99}  cpu/req ${s.cpuUsPerReq.toFixed(0)} µs  rssA ${(s.rssA / 2 ** 20).toFixed(0)} MB  spans/req ${s.spansPerRequest.toFixed(2)}`,
    );
  }
  log(`wrote ${file}`);
} finally {
  await cleanup();
}
