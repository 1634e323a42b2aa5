// Profile the A → B pair under load with `node --cpu-prof` and print where the time goes
// (self time by function and by package), to find what tracing costs per request.
//   node bench/overhead/profile.mjs ours@1.0 [seconds]      (configs: untraced, ours@0, ours@1.0, auto@1.0)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPair } from '../lib/app-pair.mjs';
import { runLoad } from '../lib/load-client.mjs';
import { startCollectorProcess, startRedis, stopAll } from '../lib/procs.mjs';

const id = process.argv[2] ?? 'ours@1.0';
const seconds = Number(process.argv[3] ?? 6);
const trace = id === 'untraced' ? 'none' : id.startsWith('auto') ? 'auto' : 'ours';
const rate = Number(id.split('@')[1] ?? 1);
const dir = mkdtempSync(join(tmpdir(), 'autobot-prof-'));
try {
  const redis = await startRedis();
  const collector = await startCollectorProcess({ nice: 10 });
  const pair = await startPair(
    { id: id.replace('@', '-'), trace, rate, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] },
    { collector, redisUrl: redis.url },
  );
  await runLoad(`${pair.url}/api/work/42`, { duration: 2 });
  const result = await runLoad(`${pair.url}/api/work/42`, { duration: seconds });
  process.stdout.write(`${id}: ${result.reqPerSec.toFixed(0)} req/s (profiled)\n`);
  const files = [];
  for (const [role, proc] of [
    ['a', pair.a],
    ['b', pair.b],
  ]) {
    const before = new Set(readdirSync(dir));
    proc.child.kill('SIGTERM');
    await proc.exited;
    const file = readdirSync(dir).find((f) => !before.has(f));
    files.push([role, file]);
  }
  for (const [role, file] of files) summarize(role, JSON.parse(readFileSync(join(dir, file), 'utf8')));
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}

function summarize(role, profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map();
  const byPkg = new Map();
  for (const [nodeId, us] of self) {
    const { callFrame } = byId.get(nodeId);
    const url = callFrame.url || '(native)';
    const pkg =
      url.match(/node_modules\/((@[^/]+\/)?[^/]+)/)?.[1] ??
      (url.includes('/packages/tracing/')
        ? '@autobot/tracing'
        : url.startsWith('node:')
          ? url.split('/')[0]
          : url.split('/').slice(-2).join('/'));
    const fn = `${callFrame.functionName || '(anon)'} ${pkg}:${callFrame.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
  }
  const top = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  process.stdout.write(
    `\n== ${role}: ${(total / 1e6).toFixed(1)} s sampled\n-- by package\n${top(byPkg, 18)}\n-- by function (self)\n${top(byFn, 30)}\n`,
  );
}
