// Summarize a V8 .cpuprofile: self time by package and by function.
import { readFileSync } from 'node:fs';

/** Lines of text: the top `n` packages and functions by self time. */
export function summarizeProfile(file, n = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map();
  const byPkg = new Map();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    const url = callFrame.url || '(native)';
    const pkg = packageOf(url);
    const fn = `${callFrame.functionName || '(anon)'} ${pkg}${url.includes('/packages/tracing/') ? `/${url.split('/').pop()}` : ''}:${callFrame.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
  }
  const top = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `${(total / 1e6).toFixed(2)} s sampled\n-- by package\n${top(byPkg)}\n-- by function (self)\n${top(byFn)}\n`;
}

if (process.argv[1]?.endsWith('cpuprofile.mjs'))
  process.stdout.write(summarizeProfile(process.argv[2], Number(process.argv[3] ?? 25)));

/** The package a profile frame's URL belongs to: an npm package, @autobot/tracing, a node: module. */
export function packageOf(url) {
  return (
    url.match(/node_modules\/((@[^/]+\/)?[^/]+)/)?.[1] ??
    (url.includes('/packages/tracing/')
      ? '@autobot/tracing'
      : url.startsWith('node:')
        ? url.split('/')[0]
        : url === '(native)'
          ? '(native)'
          : url.split('/').slice(-2).join('/'))
  );
}

/**
 * Self time (µs) by package of the samples taken between `fromUs` and `toUs` on the
 * CLOCK_MONOTONIC µs scale V8 stamps profiles with (`process.hrtime.bigint() / 1000n` in any process
 * of the machine), so start-up and warm-up are left out. Idle samples are dropped; V8's own
 * categories ("(garbage collector)", "(program)") are kept under their names.
 */
export function selfTimeByPackage(file, fromUs, toUs) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromUs || t > toUs) continue;
    const { callFrame } = byId.get(profile.samples[i]);
    const name = callFrame.functionName;
    if (name === '(idle)') continue;
    const key = !callFrame.url && name.startsWith('(') ? name : packageOf(callFrame.url || '(native)');
    totals.set(key, (totals.get(key) ?? 0) + delta);
  }
  return totals;
}
