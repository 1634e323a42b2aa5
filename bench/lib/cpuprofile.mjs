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
    const pkg =
      url.match(/node_modules\/((@[^/]+\/)?[^/]+)/)?.[1] ??
      (url.includes('/packages/tracing/')
        ? '@autobot/tracing'
        : url.startsWith('node:')
          ? url.split('/')[0]
          : url.split('/').slice(-2).join('/'));
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
