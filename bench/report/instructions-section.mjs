// "Instructions per request" (bench/overhead/instructions.mjs) for bench/RESULTS.md.
import { shortName } from '../lib/callgrind.mjs';
import { MEASURED_REQUEST, n, row, signed } from './format.mjs';

const BEFORE = ' [before]';
/** One table per Node major: instructions per request per variant, and where the extra goes. */
export function renderInstructions(out, major, result) {
  const [lo, hi] = result.requests;
  out(`### Instructions per request (Node ${major}, ${result.node}; callgrind)`);
  out();
  out(
    `\`node bench/overhead/instructions.mjs '${result.variants
      .filter((v) => !v.name.endsWith(BEFORE))
      .map((v) => v.name)
      .join(
        ',',
      )}' --node <node${major}>${result.before ? ' --before <older build>' : ''}\` (${result.finishedAt}, ${result.valgrind}): breakdown.mjs's measured process (${MEASURED_REQUEST}) under callgrind, serving ${lo} and then ${hi} requests after a ${result.warmup}-request warm-up; each figure is (run of ${hi} − run of ${lo}) / ${hi - lo}, per function, JIT code named from V8's perf map.${result.before ? ` \`[before]\`: the same variant with the older build \`${result.before}\`.` : ''} V8 runs with \`--predictable\` (collections and compilers on the main thread, in a fixed order), so a count repeats to about 0.01 % whatever else the machine runs; counts leave out memory stalls and the kernel's work.`,
  );
  out();
  const byName = new Map(result.variants.map((v) => [v.name, v]));
  const base = byName.get('none');
  const OURS = '@autobot/tracing (JS)';
  const GC = 'garbage collection';
  const cat = (v, c) => v.deltaByCategory[c] ?? 0;
  out(
    row([
      'variant',
      'instructions / request',
      'vs none',
      'of which garbage collection',
      `of which ${OURS}`,
      `${OURS} vs older build`,
    ]),
  );
  out(row(['---', '---:', '---:', '---:', '---:', '---:']));
  for (const v of result.variants) {
    const share = base ? ` (${signed((100 * v.deltaPerRequest) / base.instructionsPerRequest)} %)` : '';
    const twin = byName.get(`${v.name}${BEFORE}`);
    const none = v.name === 'none';
    out(
      row([
        v.name,
        n(v.instructionsPerRequest),
        none ? '—' : `${signed(v.deltaPerRequest)}${share}`,
        none ? '—' : signed(cat(v, GC)),
        none ? '—' : n(cat(v, OURS)),
        twin ? signed(cat(v, OURS) - cat(twin, OURS)) : '',
      ]),
    );
  }
  out();
  out(
    "Garbage collection runs in whole cycles: whether one falls inside the measured window differs from one variant or build to the next, so it moves the totals by tens of thousands of instructions either way (even below `none`). It also reaches beyond its own row: while an old-generation cycle is in progress, every pointer store runs a marking write barrier and allocation goes through the sweeper's free lists, which land in the builtins and runtime rows. And V8 is still tiering code up after the warm-up, for thousands of requests more. So a single count repeats to 0.01 %, but the difference between two variants is uncertain by far more (bench/NOTES.md, round 28). The library's own JavaScript depends on none of this: compare builds on that column, and read the bytes-allocated table below for what tracing adds to the collector's work.",
  );
  out();
  // The whole-request variants get the detail; the per-piece rows speak for themselves.
  for (const v of result.variants.filter((x) => x.name.endsWith(' all'))) {
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
    const change = v.changesVsBefore;
    if (change !== undefined) {
      const list = (xs) => xs.map((f) => `\`${f.function}\` ${signed(f.instructions)}`).join('; ');
      out(
        `  Largest changes against the older build: cuts ${list(change.cuts)}; increases ${list(change.increases)}.`,
      );
    }
  }
  out();
}
