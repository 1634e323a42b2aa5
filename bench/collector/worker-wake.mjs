// How long an idle worker thread takes to pick up a message on this machine: the floor under the
// query API's worker-pool latency (issue 18). A search in a worker waits for the thread to wake
// before it starts, and the answer waits for the main thread to wake; nothing the search does
// can make that shorter. Like the query benchmark, messages are spaced (every `--gap-ms`), so
// the worker is asleep when each one arrives. Each sample records the time from `postMessage`
// to the worker's handler ("to worker") and the whole round trip with an empty job.
//   node bench/collector/worker-wake.mjs [samples=1000] [--gap-ms 20] [--node <path>]
//        [--force] [--max-load 0.5] [--settle-wait 180]
// Writes bench/results/worker-wake-node<major>.json, rendered by bench/report.mjs.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { benchNode, sleep } from '../lib/procs.mjs';
import { hostCpuTimes, QUIET_OPTIONS, quietGate, stealPercent } from '../lib/quiet.mjs';
import { perNodeName, writeResult } from '../lib/results.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'gap-ms': { type: 'string', default: '20' },
    node: { type: 'string' },
    child: { type: 'boolean' },
    ...QUIET_OPTIONS,
  },
});
const samples = Number(positionals[0] ?? 1000);
const gapMs = Number(values['gap-ms']);

// The worker answers at once with the time the message reached it (same clock: performance.timeOrigin + now()).
const ECHO = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (sentAt) => parentPort.postMessage([sentAt, performance.timeOrigin + performance.now()]));
`;

async function measure() {
  const worker = new Worker(ECHO, { eval: true });
  const toWorker = [];
  const roundTrip = [];
  const now = () => performance.timeOrigin + performance.now();
  const once = () =>
    new Promise((resolve) => {
      worker.once('message', ([sentAt, receivedAt]) => {
        toWorker.push(receivedAt - sentAt);
        roundTrip.push(now() - sentAt);
        resolve();
      });
      worker.postMessage(now());
    });
  for (let i = 0; i < 50; i++) await once(); // warm-up, not recorded
  toWorker.length = 0;
  roundTrip.length = 0;
  for (let i = 0; i < samples; i++) {
    await sleep(gapMs);
    await once();
  }
  await worker.terminate();
  return { toWorker: quantiles(toWorker), roundTrip: quantiles(roundTrip) };
}

function quantiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(3));
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
}

if (values.child) {
  process.stdout.write(`${JSON.stringify(await measure())}\n`);
} else {
  const node = benchNode(values.node);
  const gate = await quietGate(values);
  const startedAt = new Date().toISOString();
  const hostBefore = hostCpuTimes();
  const run = spawnSync(node.path, [fileURLToPath(import.meta.url), '--child', ...process.argv.slice(2)], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  const result = JSON.parse(run.stdout.trim());
  const file = writeResult(perNodeName('worker-wake', node.version), {
    node: node.version,
    startedAt,
    ...gate,
    loadavgAfter: loadavg(),
    stealPercent: stealPercent(hostBefore, hostCpuTimes()),
    samples,
    gapMs,
    ...result,
  });
  console.log(JSON.stringify(result));
  console.log(`wrote ${file}`);
}
