// `npm run bench`: request overhead, span API cost, scaling, then bench/RESULTS.md.
// The collector's own ingest/query benchmarks live in bench/collector (`npm run bench:collector`,
// minutes long at 1M spans); RESULTS.md links their latest results instead of re-running them.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const steps = [
  ['overhead/run.mjs', '--rounds', '3', '--duration', '6'],
  ['span/run.mjs'],
  ['overhead/run.mjs', '--scaling', '--rounds', '2', '--duration', '5', '--warmup', '2'],
  ['report.mjs'],
];
for (const [script, ...args] of steps) {
  process.stderr.write(`\n### node bench/${script} ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, [here(script), ...args], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
