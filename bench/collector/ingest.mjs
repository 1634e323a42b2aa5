// Ingest benchmark: OTLP/HTTP protobuf, then OTLP/gRPC, 512-span batches with 10 attributes each,
// sender in another process, against three collector configurations alternated round by round:
//   - default (span metrics on, plaintext);
//   - `--no-span-metrics`: what RED/LLM maintenance costs ingest (issue 17: ≤ 10 %);
//   - TLS (`--tls-cert/--tls-key`, a CA-issued certificate from @autobot/pki) and a write token
//     (`--write-token-file`), the sender over https and grpcs with `authorization: Bearer` (issue 16).
// Each run starts a fresh collector on a fresh database; it records spans/s (the sender's view) and
// the collector's CPU time per span (from /proc, less sensitive to other load than the rate).
// Baseline in the same run: the same sender against a receiver that stores nothing (HTTP).
//
//   node bench/collector/ingest.mjs [batches=300] [concurrency=4] [--rounds 2]
//        [--force] [--max-load 0.5] [--settle-wait 180]
// With `--dist <collector dist dir>` (repeatable; e.g. a copy of an older build inside
// packages/collector, so its imports resolve) it instead compares those builds in their default
// configuration, alternated round by round, and writes bench/results/collector-ingest-builds.json,
// or with `--label <name> --about "<what the builds are>"` collector-ingest-builds-<name>.json
// (the report renders every such file, with its `about` line).
// Waits for a quiet machine first (bench/lib/quiet.mjs); exit 3 if it stays busy, unless --force.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initCa, issueCertificate } from '@autobot/pki';
import {
  cpuTimeUs,
  mainThreadCpuTimeUs,
  rssOf,
  startCollectorProcess,
  startNode,
  stopAll,
  stopProcess,
  waitForLine,
} from '../lib/procs.mjs';
import { hostCpuTimes, QUIET_OPTIONS, quietGate, runConditions } from '../lib/quiet.mjs';
import { writeResult } from '../lib/results.mjs';
import { median } from '../lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '2' },
    dist: { type: 'string', multiple: true },
    label: { type: 'string' },
    about: { type: 'string' },
    ...QUIET_OPTIONS,
  },
});
const [batches = '300', concurrency = '4'] = positionals;
const rounds = Number(values.rounds);
const log = (line) => process.stderr.write(`${line}\n`);

const gate = await quietGate(values, log);
const startedAt = new Date().toISOString();
/** Host CPU counters at the start: the record says how much the hypervisor stole during the run. */
const hostBefore = hostCpuTimes();

/**
 * Runs the sender against `url`; `onWarm` is called when its warm-up batches are done (where
 * the measured part starts). Resolves with its result line.
 */
function runSender(url, env = {}, onWarm = () => {}) {
  const child = spawn(process.execPath, [join(here, 'ingest-sender.mjs'), url, batches, concurrency], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('"warm"') && onWarm !== null) {
        onWarm();
        onWarm = null;
      }
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)))
        : reject(new Error(`sender exited ${code}`)),
    );
  });
}

const rssMb = (pid) => rssOf(pid) / 2 ** 20;
const round1 = (v) => Math.round(v * 10) / 10;

const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
try {
  // TLS material: a CA and a server certificate for 127.0.0.1 issued by @autobot/pki, a write token.
  const ca = await initCa({ dir: join(dir, 'pki') });
  const server = await issueCertificate(ca, {
    name: 'collector',
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['localhost'],
  });
  const tokenFile = join(dir, 'write.token');
  writeFileSync(tokenFile, `bench-${process.pid}-${Date.now()}\n`, { mode: 0o600 });
  const secureSender = {
    BENCH_CA_FILE: ca.layout.caCertPath,
    BENCH_TOKEN_FILE: tokenFile,
    BENCH_TLS_NAME: 'localhost',
  };

  const builds = (values.dist ?? []).map((d) => resolve(d));
  const configs =
    builds.length > 0
      ? Object.fromEntries(
          builds.map((d) => [
            relative(process.cwd(), d),
            { args: [], secure: false, cli: join(d, 'cli/main.js') },
          ]),
        )
      : {
          default: { args: [], secure: false },
          noSpanMetrics: { args: ['--no-span-metrics'], secure: false },
          tlsToken: {
            args: [
              '--tls-cert',
              server.certPath,
              '--tls-key',
              server.keyPath,
              '--write-token-file',
              tokenFile,
            ],
            secure: true,
          },
        };

  const sink = startNode(join(here, 'null-sink.mjs'), { name: 'null-sink' });
  const sinkInfo = await waitForLine(sink, (l) => l.event === 'listening');
  const baseline = await runSender(`http://127.0.0.1:${sinkInfo.httpPort}/v1/traces`);
  await stopProcess(sink);

  const runs = [];
  let first = null;
  const names = Object.keys(configs);
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round so no configuration always runs first (or last).
    for (const name of names.map((_, i) => names[(i + r) % names.length])) {
      const config = configs[name];
      const db = join(dir, `config${names.indexOf(name)}-${r}.db`);
      const collector = await startCollectorProcess({
        db,
        extraArgs: ['--no-ui', ...config.args],
        cli: config.cli,
      });
      const pid = collector.proc.child.pid;
      let peak = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssMb(pid));
      }, 100);
      const idle = rssMb(pid);
      const [httpUrl, grpcUrl, env] = config.secure
        ? [
            `https://127.0.0.1:${collector.httpPort}/v1/traces`,
            `grpcs://127.0.0.1:${collector.grpcPort}`,
            secureSender,
          ]
        : [collector.httpUrl, `grpc://127.0.0.1:${collector.grpcPort}`, {}];
      // Collector CPU time, all threads and the main thread alone, from the end of the sender's
      // warm-up to the end of its run.
      const cpu = { http: 0, grpc: 0, httpMain: 0, grpcMain: 0 };
      const http = await runSender(httpUrl, env, () => {
        cpu.http = cpuTimeUs(pid);
        cpu.httpMain = mainThreadCpuTimeUs(pid);
      });
      cpu.http = cpuTimeUs(pid) - cpu.http;
      cpu.httpMain = mainThreadCpuTimeUs(pid) - cpu.httpMain;
      // Same collector, now over gRPC: the store already holds the HTTP run's spans.
      const grpc = await runSender(grpcUrl, env, () => {
        cpu.grpc = cpuTimeUs(pid);
        cpu.grpcMain = mainThreadCpuTimeUs(pid);
      });
      cpu.grpc = cpuTimeUs(pid) - cpu.grpc;
      cpu.grpcMain = mainThreadCpuTimeUs(pid) - cpu.grpcMain;
      clearInterval(sampler);
      // The query port speaks TLS in the secure configuration; /status is read from the plain ones.
      const status = config.secure ? null : await collector.status();
      await stopProcess(collector.proc);
      const run = {
        config: name,
        round: r,
        httpSpansPerSec: http.spansPerSec,
        grpcSpansPerSec: grpc.spansPerSec,
        // Collector CPU per measured span (after the sender's warm-up).
        httpCpuUsPerSpan: round1(cpu.http / http.spans),
        grpcCpuUsPerSpan: round1(cpu.grpc / grpc.spans),
        httpMainCpuUsPerSpan: round1(cpu.httpMain / http.spans),
        grpcMainCpuUsPerSpan: round1(cpu.grpcMain / grpc.spans),
        // The sender's CPU per span over the same part: both processes share the machine's cores.
        httpSenderCpuUsPerSpan: http.cpuUsPerSpan,
        grpcSenderCpuUsPerSpan: grpc.cpuUsPerSpan,
      };
      log(JSON.stringify(run));
      runs.push(run);
      if (name === 'default' && first === null) first = { idle, peak, status, mbPerBatch: http.mbPerBatch };
    }
  }

  const summary = (name) => {
    const of = runs.filter((x) => x.config === name);
    const pick = (field) => median(of.map((x) => x[field]));
    return {
      httpSpansPerSec: Math.round(pick('httpSpansPerSec')),
      grpcSpansPerSec: Math.round(pick('grpcSpansPerSec')),
      httpCpuUsPerSpan: round1(pick('httpCpuUsPerSpan')),
      grpcCpuUsPerSpan: round1(pick('grpcCpuUsPerSpan')),
      httpMainCpuUsPerSpan: round1(pick('httpMainCpuUsPerSpan')),
      grpcMainCpuUsPerSpan: round1(pick('grpcMainCpuUsPerSpan')),
      httpSenderCpuUsPerSpan: round1(pick('httpSenderCpuUsPerSpan')),
      grpcSenderCpuUsPerSpan: round1(pick('grpcSenderCpuUsPerSpan')),
    };
  };
  if (builds.length > 0) writeBuildsRecord(builds, runs, summary);
  else writeRecord(summary, baseline, runs, first);
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}

/** `--dist`: each build's medians, default configuration. */
function writeBuildsRecord(builds, runs, summary) {
  const record = {
    node: process.version,
    ...runConditions(startedAt, gate, hostBefore),
    batches: Number(batches),
    concurrency: Number(concurrency),
  };
  record.builds = builds.map((d) => relative(process.cwd(), d)).map((dist) => ({ dist, ...summary(dist) }));
  if (values.about) record.about = values.about;
  record.runs = runs;
  if (values.label !== undefined && !/^[a-z0-9-]+$/.test(values.label))
    throw new Error(`--label ${values.label}: use lower-case letters, digits and dashes`);
  writeResult(values.label ? `collector-ingest-builds-${values.label}` : 'collector-ingest-builds', record);
  console.log(JSON.stringify(record, null, 2));
}

/** The three configurations of this checkout's build against the baseline. */
function writeRecord(summary, baseline, runs, first) {
  const on = summary('default');
  const off = summary('noSpanMetrics');
  const tls = summary('tlsToken');
  const record = {
    node: process.version,
    ...runConditions(startedAt, gate, hostBefore),
    batches: Number(batches),
    concurrency: Number(concurrency),
    rounds,
    baselineSpansPerSec: baseline.spansPerSec,
    // Default configuration (span metrics on, plaintext), median over the rounds.
    collectorSpansPerSec: on.httpSpansPerSec,
    collectorGrpcSpansPerSec: on.grpcSpansPerSec,
    collectorCpuUsPerSpan: on.httpCpuUsPerSpan,
    collectorGrpcCpuUsPerSpan: on.grpcCpuUsPerSpan,
    collectorMainCpuUsPerSpan: on.httpMainCpuUsPerSpan,
    collectorGrpcMainCpuUsPerSpan: on.grpcMainCpuUsPerSpan,
    senderCpuUsPerSpan: on.httpSenderCpuUsPerSpan,
    senderGrpcCpuUsPerSpan: on.grpcSenderCpuUsPerSpan,
    ratioToBaseline: Number((on.httpSpansPerSec / baseline.spansPerSec).toFixed(2)),
    // Issue 17: the same collector with `--no-span-metrics`, same run, median over the rounds.
    spanMetricsOff: off,
    // Issue 16: TLS on both receivers and a write token, sender over https / grpcs with the token.
    tlsToken: tls,
    batchMB: Number(first.mbPerBatch.toFixed(3)),
    rssIdleMB: Math.round(first.idle),
    rssPeakMB: Math.round(first.peak),
    storedSpans: first.status.store.spanCount,
    dbMB: Math.round(first.status.store.sizeBytes / 1e6),
    runs,
  };
  // bench/report.mjs renders RESULTS.md from this file (figures and verdicts).
  writeResult('collector-ingest', record);
  console.log(JSON.stringify(record, null, 2));
}
