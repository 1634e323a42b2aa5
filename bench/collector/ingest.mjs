// Ingest benchmark: OTLP/HTTP protobuf, then OTLP/gRPC, 512-span batches with 10 attributes each,
// sender in another process. Baseline in the same run: the same sender against a receiver that
// stores nothing (HTTP). Run: node bench/collector/ingest.mjs [batches=300] [concurrency=4]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssOf, startCollectorProcess, startNode, stopProcess, waitForLine } from '../lib/procs.mjs';
import { writeResult } from '../lib/results.mjs';

const startedAt = new Date().toISOString();

const here = dirname(fileURLToPath(import.meta.url));
const [batches = '300', concurrency = '4'] = process.argv.slice(2);

function runSender(url) {
  const child = spawn(process.execPath, [join(here, 'ingest-sender.mjs'), url, batches, concurrency], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`sender exited ${code}`)),
    );
  });
}

const rssMb = (pid) => rssOf(pid) / 2 ** 20;

const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
try {
  const sink = startNode(join(here, 'null-sink.mjs'), { name: 'null-sink' });
  const sinkInfo = await waitForLine(sink, (l) => l.event === 'listening');
  const baseline = await runSender(`http://127.0.0.1:${sinkInfo.httpPort}/v1/traces`);
  await stopProcess(sink);

  const db = join(dir, 'traces.db');
  const collector = await startCollectorProcess({ db, extraArgs: ['--no-ui'] });
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(collector.proc.child.pid));
  }, 100);
  const idle = rssMb(collector.proc.child.pid);
  const result = await runSender(collector.httpUrl);
  // Same collector, now over gRPC: the store already holds the HTTP run's spans.
  const grpcResult = await runSender(`grpc://127.0.0.1:${collector.grpcPort}`);
  clearInterval(sampler);
  const status = await collector.status();
  await stopProcess(collector.proc);
  const record = {
    node: process.version,
    batches: Number(batches),
    concurrency: Number(concurrency),
    baselineSpansPerSec: baseline.spansPerSec,
    collectorSpansPerSec: result.spansPerSec,
    collectorGrpcSpansPerSec: grpcResult.spansPerSec,
    ratioToBaseline: Number((result.spansPerSec / baseline.spansPerSec).toFixed(2)),
    batchMB: Number(result.mbPerBatch.toFixed(3)),
    rssIdleMB: Math.round(idle),
    rssPeakMB: Math.round(peak),
    storedSpans: status.store.spanCount,
    dbMB: Math.round(status.store.sizeBytes / 1e6),
  };
  record.startedAt = startedAt;
  // bench/report.mjs renders RESULTS.md from this file (figures and verdicts).
  writeResult('collector-ingest', record);
  console.log(JSON.stringify(record, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
