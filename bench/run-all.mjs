// `npm run bench`: request overhead, span API cost, scaling, then bench/RESULTS.md.
// The collector's own ingest/query benchmarks live in bench/collector (`npm run bench:collector`,
// minutes long at 1M spans); RESULTS.md links their latest results instead of re-running them.
//   npm run bench -- [--node <path>] [--force]   (or AUTOBOT_BENCH_NODE=<path>)
// --node runs the measured services under that Node binary (the harness itself stays on this
// one); run once per Node version: each writes its own bench/results/*-node<major>.json.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { node: { type: 'string' }, force: { type: 'boolean', default: false } },
});
const passOn = [...(values.node ? ['--node', values.node] : []), ...(values.force ? ['--force'] : [])];

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const steps = [
  ['overhead/run.mjs', '--rounds', '3', '--duration', '6', ...passOn],
  ['span/run.mjs'],
  ['overhead/run.mjs', '--scaling', '--rounds', '2', '--duration', '5', '--warmup', '2', ...passOn],
  ['report.mjs'],
];
for (const [script, ...args] of steps) {
  process.stderr.write(`\n### node bench/${script} ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, [here(script), ...args], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
