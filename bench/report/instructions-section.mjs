// "Instructions per request" (bench/overhead/instructions.mjs) for bench/RESULTS.md.
import { row } from './format.mjs';

const count = (n) => Math.round(n).toLocaleString('en-US');
const signed = (n) => (n >= 0 ? `+${count(n)}` : `−${count(-n)}`);
const BEFORE = ' [before]';
/** A function name without the checkout's path: `scanHex …/packages/tracing/dist/hex.js:27:17`. */
const shortName = (name) => name.replace(/ (file:\/\/)?\/\S*\/(packages|node_modules)\//, ' …/$2/');

/** Functions whose per-request instructions changed most from `before` to `after`, largest cuts first. */
function changes(before, after, limit) {
  const names = new Set([...Object.keys(before.functions), ...Object.keys(after.functions)]);
  return [...names]
    .map((name) => [name, (after.functions[name] ?? 0) - (before.functions[name] ?? 0)])
    .sort((a, b) => a[1] - b[1])
    .slice(0, limit)
    .map(([name, d]) => `\`${shortName(name)}\` ${signed(d)}`)
    .join('; ');
}

/** One table per Node major: instructions per request per variant, and where the extra goes. */
export function renderInstructions(out, major, result) {
  const [lo, hi] = result.requests;
  out(`### Instructions per request (Node ${major}, ${result.node}; callgrind)`);
  out();
  out(
    `\`node bench/overhead/instructions.mjs --node <node${major}>${result.before ? ' --before <older build>' : ''}\` (${result.finishedAt}, ${result.valgrind}): breakdown.mjs's measured process (A via inject → Redis GET → fetch to B on loopback, spans discarded) under callgrind, serving ${lo} and then ${hi} requests after a ${result.warmup}-request warm-up; each figure is (run of ${hi} − run of ${lo}) / ${hi - lo}, per function, JIT code named from V8's perf map.${result.before ? ` \`[before]\`: the same variant with the older build \`${result.before}\`.` : ''} Instruction counts do not move with hypervisor steal or other load; they leave out memory stalls and the kernel's work, and a garbage collection that falls in one run and not the other moves them by a few percent.`,
  );
  out();
  const byName = new Map(result.variants.map((v) => [v.name, v]));
  const base = byName.get('none');
  out(row(['variant', 'instructions / request', 'vs none', 'vs older build']));
  out(row(['---', '---:', '---:', '---:']));
  for (const v of result.variants) {
    const share = base ? ` (${signed((100 * v.deltaPerRequest) / base.instructionsPerRequest)} %)` : '';
    const twin = byName.get(`${v.name}${BEFORE}`);
    out(
      row([
        v.name,
        count(v.instructionsPerRequest),
        v.name === 'none' ? '—' : `${signed(v.deltaPerRequest)}${share}`,
        twin ? signed(v.instructionsPerRequest - twin.instructionsPerRequest) : '',
      ]),
    );
  }
  out();
  for (const v of result.variants.filter((x) => x.name !== 'none' && !x.name.endsWith(BEFORE))) {
    const categories = Object.entries(v.deltaByCategory).sort((a, b) => b[1] - a[1]);
    out(
      `- **${v.name}**, its extra instructions per request by category: ${categories.map(([c, n]) => `${c} ${signed(n)}`).join('; ')}.`,
    );
    out(
      `  Largest increases by function: ${v.topDelta
        .slice(0, 10)
        .map((f) => `\`${shortName(f.function)}\` ${signed(f.instructions)}`)
        .join('; ')}.`,
    );
    const twin = byName.get(`${v.name}${BEFORE}`);
    if (twin?.functions && v.functions)
      out(`  Largest cuts against the older build: ${changes(twin, v, 6)}.`);
  }
  out();
}
