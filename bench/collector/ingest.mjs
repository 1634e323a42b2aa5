// Ingest benchmark: OTLP/HTTP protobuf, then OTLP/gRPC, 512-span batches with 10 attributes each,
// sender in another process. Baseline in the same run: the same sender against a receiver that
// stores nothing (HTTP). Run: node bench/collector/ingest.mjs [batches=300] [concurrency=4]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '../../packages/collector/dist/cli.js');
const [batches = '300', concurrency = '4'] = process.argv.slice(2);

function startServer(args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ child, info: JSON.parse(out.split('\n')[0]) });
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

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

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
try {
  const sink = await startServer([join(here, 'null-sink.mjs')]);
  const baseline = await runSender(`http://127.0.0.1:${sink.info.httpPort}/v1/traces`);
  sink.child.kill('SIGTERM');

  const db = join(dir, 'traces.db');
  const collector = await startServer([
    cli,
    'serve',
    '--grpc-port',
    '0',
    '--http-port',
    '0',
    '--query-port',
    '0',
    '--db',
    db,
    '--no-ui',
  ]);
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(collector.child.pid));
  }, 100);
  const idle = rssMb(collector.child.pid);
  const result = await runSender(`http://127.0.0.1:${collector.info.httpPort}/v1/traces`);
  // Same collector, now over gRPC: the store already holds the HTTP run's spans.
  const grpcResult = await runSender(`grpc://127.0.0.1:${collector.info.grpcPort}`);
  clearInterval(sampler);
  const status = await (await fetch(`http://127.0.0.1:${collector.info.queryPort}/status`)).json();
  collector.child.kill('SIGTERM');
  console.log(
    JSON.stringify(
      {
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
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
