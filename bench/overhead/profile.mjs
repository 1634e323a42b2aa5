// Where does tracing's CPU per request go? Profiles the A → B pair (bench/apps/app.cjs) under load
// in each configuration with `node --cpu-prof`, keeps only the samples of the measured window (no
// start-up, no warm-up), and splits each process's measured CPU µs per request (from /proc) over
// packages in proportion to their self time. Writes bench/results/profile-node<major>.json, which
// bench/report.mjs renders as "where the CPU per request goes", and prints a summary.
//   node bench/overhead/profile.mjs [--configs untraced,ours@0,ours@1.0,auto@1.0] [--seconds 8]
//        [--node <path>] [--force] [--max-load 0.5] [--settle-wait 180] [--keep <dir>]
// --keep copies the .cpuprofile files there (open them in Chrome DevTools for function detail).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPair } from '../lib/app-pair.mjs';
import { selfTimeByPackage } from '../lib/cpuprofile.mjs';
import { runLoad } from '../lib/load-client.mjs';
import { startOtlpSink } from '../lib/otlp-sink.mjs';
import { benchNode, cpuTimeUs, startRedis, stopAll } from '../lib/procs.mjs';
import { QUIET_OPTIONS, quietGate } from '../lib/quiet.mjs';
import { perNodeName, writeResult } from '../lib/results.mjs';

const { values } = parseArgs({
  options: {
    configs: { type: 'string', default: 'untraced,ours@0,ours@1.0,auto@1.0' },
    seconds: { type: 'string', default: '8' },
    node: { type: 'string' },
    keep: { type: 'string' },
    ...QUIET_OPTIONS,
  },
});
const seconds = Number(values.seconds);
const node = benchNode(values.node);
const log = (line) => process.stderr.write(`${line}\n`);
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

const gate = await quietGate(values, log);
const dir = mkdtempSync(join(tmpdir(), 'autobot-prof-'));
const configs = [];
try {
  const redis = await startRedis();
  // The counting OTLP sink stands in for the remote collector, as in run.mjs.
  const sink = await startOtlpSink({ nice: 10 });
  for (const id of values.configs.split(',')) configs.push(await profileConfig(id, redis, sink));
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
const file = writeResult(perNodeName('profile', node.version), {
  node: node.version,
  seconds,
  ...gate,
  loadavgAfter: loadavg(),
  configs,
});
for (const c of configs) {
  const total = (side) => Object.values(side.packages).reduce((a, b) => a + b, 0);
  log(
    `${c.id.padEnd(9)} ${c.reqPerSec.toFixed(0)} req/s, CPU µs/req A ${total(c.a).toFixed(0)} B ${total(c.b).toFixed(0)}`,
  );
}
log(`wrote ${file}`);

async function profileConfig(id, redis, sink) {
  const trace = id === 'untraced' ? 'none' : id.startsWith('auto') ? 'auto' : 'ours';
  const rate = Number(id.split('@')[1] ?? 1);
  const out = join(dir, id.replace('@', '-'));
  mkdirSync(out);
  const pair = await startPair(
    { id: id.replace('@', '-'), trace, rate, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', out] },
    { collector: sink, redisUrl: redis.url, node: node.path },
  );
  const url = `${pair.url}/api/work/42`;
  await runLoad(url, { duration: 3 });
  const pids = [pair.a.child.pid, pair.b.child.pid];
  const cpuBefore = pids.map(cpuTimeUs);
  const from = monotonicUs();
  const result = await runLoad(url, { duration: seconds });
  const to = monotonicUs();
  const cpuAfter = pids.map(cpuTimeUs);
  const served = result.ok + result.non2xx;
  const sides = {};
  for (const [i, role] of ['a', 'b'].entries()) {
    const proc = role === 'a' ? pair.a : pair.b;
    const before = new Set(readdirSync(out));
    proc.child.kill('SIGTERM');
    await proc.exited;
    const profile = readdirSync(out).find((f) => !before.has(f));
    if (values.keep) {
      mkdirSync(values.keep, { recursive: true });
      copyFileSync(join(out, profile), join(values.keep, `${id.replace('@', '-')}-${role}.cpuprofile`));
    }
    const self = selfTimeByPackage(join(out, profile), from, to);
    const sampled = [...self.values()].reduce((a, b) => a + b, 0);
    const cpuUsPerReq = (cpuAfter[i] - cpuBefore[i]) / served;
    // The profile says how the time divides; /proc says how much CPU there was.
    sides[role] = {
      packages: Object.fromEntries(
        [...self].map(([pkg, us]) => [pkg, Number(((us / sampled) * cpuUsPerReq).toFixed(2))]),
      ),
    };
  }
  log(`${id}: ${result.reqPerSec.toFixed(0)} req/s profiled`);
  return { id, reqPerSec: result.reqPerSec, requests: served, ...sides };
}
