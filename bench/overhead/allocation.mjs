// How many bytes does tracing make a request allocate, and where? The breakdown's measured process
// (breakdown.mjs --child: service A via inject → Redis GET → fetch to B on loopback, spans
// discarded) serves `--warmup` requests, then `--requests` more under V8's sampling heap profiler
// with collected objects kept (bench/lib/allocation-profile.mjs). Every allocation is garbage the
// collector must later walk past or copy, so bytes per request is the cost tracing adds to the
// garbage collector, counted: unlike time, it does not depend on what else the machine runs.
//
//   node bench/overhead/allocation.mjs [variant,variant…] [--requests 5000] [--warmup 3000]
//        [--interval 256] [--jobs 2] [--node <path>] [--before <older build's packages/tracing/dist>]
// Default variants: none, ours@0 all, ours@1 all (names from breakdown-variants.mjs). --before adds
// each traced variant run with an older build of the library, as `<variant> [before]`.
// Writes bench/results/allocation-node<major>.json.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { allocationSummary } from '../lib/allocation-profile.mjs';
import { pool } from '../lib/pool.mjs';
import { benchNode, startNullSink, startRedis, stopAll } from '../lib/procs.mjs';
import { perNodeName, writeResult } from '../lib/results.mjs';
import { selectVariants } from './breakdown-variants.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    requests: { type: 'string', default: '5000' },
    warmup: { type: 'string', default: '3000' },
    interval: { type: 'string', default: '256' },
    jobs: { type: 'string', default: '2' },
    node: { type: 'string' },
    before: { type: 'string' },
  },
});
const measured = selectVariants(positionals[0] ?? 'none,ours@0 all,ours@1 all', values.before);
const requests = Number(values.requests);
const warmup = Number(values.warmup);
const samplingInterval = Number(values.interval);
const jobs = Number(values.jobs);
const node = benchNode(values.node);
const BREAKDOWN = fileURLToPath(new URL('./breakdown.mjs', import.meta.url));

/** One measured process for `variant`: its allocation summary per request. */
function measure(variant, redisUrl, sinkUrl) {
  const dir = mkdtempSync(join(tmpdir(), 'autobot-allocation-'));
  const allocationProfile = join(dir, 'profile.heapprofile');
  const spec = { ...variant, requests, warmup, redisUrl, sinkUrl, allocationProfile, samplingInterval };
  return new Promise((resolve, reject) => {
    const child = spawn(node.path, [BREAKDOWN, '--child', JSON.stringify(spec)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`measured process failed (${code}): ${stderr}`);
        resolve(allocationSummary(allocationProfile, requests));
      } catch (error) {
        reject(error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

const startedAt = new Date().toISOString();
const loadavgBefore = loadavg();
const redis = await startRedis();
const sink = await startNullSink();
const labels = Object.keys(measured);
process.stderr.write(`${node.path} (${node.version}): ${labels.join(', ')}\n`);
let summaries;
try {
  summaries = await pool(
    labels.map((name) => () => measure(measured[name], redis.url, sink.url)),
    jobs,
  );
} finally {
  await stopAll();
}
const none = summaries[labels.indexOf('none')];
const variants = labels.map((name, i) => ({
  name,
  variant: measured[name],
  ...summaries[i],
  deltaPerRequest: summaries[i].bytesPerRequest - none.bytesPerRequest,
}));
const file = writeResult(perNodeName('allocation', node.version), {
  kind: 'allocation',
  startedAt,
  finishedAt: new Date().toISOString(),
  // For the record only: bytes allocated do not depend on load.
  loadavgBefore,
  loadavgAfter: loadavg(),
  node: node.version,
  nodePath: node.path,
  requests,
  warmup,
  samplingInterval,
  before: values.before ?? null,
  variants,
});
for (const v of variants) {
  process.stdout.write(
    `${v.name.padEnd(44)} ${String(v.bytesPerRequest).padStart(7)} B/request  Δ ${v.deltaPerRequest}  (under @autobot/tracing frames ${v.underTracingPerRequest})\n`,
  );
}
process.stdout.write(`wrote ${file}\n`);
