// `npm run bench`: request overhead (timed, then counted by thread and in bytes allocated), span API
// cost, scaling, then bench/RESULTS.md.
// The collector's own ingest/query benchmarks live in bench/collector (`npm run bench:collector`,
// minutes long at 1M spans); RESULTS.md reports their latest result files instead of re-running them.
//   npm run bench -- [--node <path>]... [--force]   (or AUTOBOT_BENCH_NODE=<path>)
// Each --node runs the measured services under that Node binary (the harness itself stays on this
// one), so one command measures several Node versions in turn: each writes its own
// bench/results/*-node<major>.json, and the report shows them side by side. Without --node the
// services run on this Node.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    node: { type: 'string', multiple: true },
    force: { type: 'boolean', default: false },
  },
});
const nodes = values.node?.length ? values.node : [process.env.AUTOBOT_BENCH_NODE || process.execPath];
const force = values.force ? ['--force'] : [];

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const steps = [
  ...nodes.flatMap((node) => [
    ['overhead/run.mjs', '--rounds', '12', '--duration', '2', '--node', node, ...force],
    ['overhead/threads.mjs', '--node', node, ...force],
    ['overhead/allocation.mjs', '--node', node],
  ]),
  ['span/run.mjs'],
  ...nodes.map((node) => [
    'overhead/run.mjs',
    '--scaling',
    '--rounds',
    '2',
    '--duration',
    '5',
    '--warmup',
    '2',
    '--node',
    node,
    ...force,
  ]),
  ['report.mjs'],
];
for (const [script, ...args] of steps) {
  process.stderr.write(`\n### node bench/${script} ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, [here(script), ...args], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
