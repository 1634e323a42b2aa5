// Profile the A → B pair under load with `node --cpu-prof` and print where the time goes
// (self time by function and by package), to find what tracing costs per request.
//   node bench/overhead/profile.mjs ours@1.0 [seconds]      (configs: untraced, ours@0, ours@1.0, auto@1.0)
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPair } from '../lib/app-pair.mjs';
import { summarizeProfile } from '../lib/cpuprofile.mjs';
import { runLoad } from '../lib/load-client.mjs';
import { startOtlpSink } from '../lib/otlp-sink.mjs';
import { startRedis, stopAll } from '../lib/procs.mjs';

const id = process.argv[2] ?? 'ours@1.0';
const seconds = Number(process.argv[3] ?? 6);
const trace = id === 'untraced' ? 'none' : id.startsWith('auto') ? 'auto' : 'ours';
const rate = Number(id.split('@')[1] ?? 1);
const dir = mkdtempSync(join(tmpdir(), 'autobot-prof-'));
try {
  const redis = await startRedis();
  // The counting OTLP sink stands in for the remote collector, as in run.mjs.
  const collector = await startOtlpSink({ nice: 10 });
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
  for (const [role, file] of files)
    process.stdout.write(`\n== ${role}: ${summarizeProfile(join(dir, file), 30)}`);
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
