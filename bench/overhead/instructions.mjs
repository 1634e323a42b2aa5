// Where does tracing's per-request cost go, counted in instructions rather than time? The
// breakdown's measured process (breakdown.mjs --child: service A via inject → Redis GET → fetch to
// B on loopback) runs under valgrind's callgrind twice per variant, serving `lo` and then `hi`
// requests after the same warm-up; the difference divided by `hi − lo` is the instructions one
// request executes, per function. JIT-compiled JavaScript is named from V8's --perf-basic-prof map.
//
// The process runs with V8's --predictable (garbage collection and the compilers on the main
// thread, in a fixed order): without it, when a collection or an optimisation lands depends on
// thread timing, and two runs of the same variant differed by up to 30 %; with it they differ by
// about 0.01 % (two 500-request runs in parallel: 3,213,851,281 and 3,214,132,905 instructions),
// whatever else the machine runs. Counts leave out memory stalls and the kernel's work, and
// --predictable moves concurrent work onto one thread: read them beside the timed runs
// (run.mjs, pieces.mjs), not instead of them. Needs valgrind (`apt-get install valgrind`);
// a few minutes per variant on one core.
//
//   node bench/overhead/instructions.mjs [variant,variant…] [--requests 200,1000] [--warmup 400]
//        [--jobs 2] [--node <path>] [--before <older build's packages/tracing/dist>]
// Default variants: none, ours@0 all, ours@1 all. --before adds each traced variant run with an
// older build of the library, as `<variant> [before]`. Writes bench/results/instructions-node<major>.json.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { categoryOf, changesBetween, functionCosts } from '../lib/callgrind.mjs';
import { pool } from '../lib/pool.mjs';
import { benchNode, startNullSink, startRedis, stopAll } from '../lib/procs.mjs';
import { perNodeName, writeResult } from '../lib/results.mjs';
import { selectVariants } from './breakdown-variants.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    requests: { type: 'string', default: '200,1000' },
    warmup: { type: 'string', default: '400' },
    jobs: { type: 'string', default: '2' },
    node: { type: 'string' },
    before: { type: 'string' },
  },
});
/** The variants measured: name → breakdown variant (with the older build's entry point for `[before]`). */
const measured = selectVariants(positionals[0] ?? 'none,ours@0 all,ours@1 all', values.before);
const [lo, hi] = values.requests.split(',').map(Number);
if (!(lo >= 0 && hi > lo))
  throw new Error(`--requests must be two counts, low then high: ${values.requests}`);
const warmup = Number(values.warmup);
const jobs = Number(values.jobs);
const node = benchNode(values.node);
for (const tool of ['valgrind', 'callgrind_annotate']) {
  // callgrind_annotate --version prints its version but exits 255: only a missing tool throws ENOENT.
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
  } catch (error) {
    if (error.code === 'ENOENT') {
      throw new Error(`${tool} is not on PATH: install it with \`apt-get install valgrind\``);
    }
  }
}
const valgrindVersion = execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
const BREAKDOWN = fileURLToPath(new URL('./breakdown.mjs', import.meta.url));

/** One callgrind run of the variant serving `requests` requests: its functions' instruction counts. */
function measure(variant, requests, redisUrl, sinkUrl) {
  const dir = mkdtempSync(join(tmpdir(), 'autobot-callgrind-'));
  const out = join(dir, 'callgrind.out');
  const spec = { ...variant, requests, warmup, redisUrl, sinkUrl };
  const args = [
    '--tool=callgrind',
    `--callgrind-out-file=${out}`,
    node.path,
    '--predictable',
    '--perf-basic-prof',
  ];
  args.push(BREAKDOWN, '--child', JSON.stringify(spec));
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`callgrind run failed (${code}): ${stderr}`);
        const pid = readFileSync(out, 'utf8').match(/^pid:\s*(\d+)/m)?.[1];
        const perfMap = join('/tmp', `perf-${pid}.map`);
        resolve(functionCosts(out, perfMap));
        rmSync(perfMap, { force: true });
      } catch (error) {
        reject(error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** Per-request instructions per function: (run with `hi` requests − run with `lo`) / (hi − lo). */
function perRequest(low, high) {
  const out = new Map();
  for (const [fn, ir] of high) out.set(fn, ir - (low.get(fn) ?? 0));
  for (const [fn, ir] of low) if (!high.has(fn)) out.set(fn, -ir);
  for (const [fn, ir] of out) out.set(fn, ir / (hi - lo));
  return out;
}

const startedAt = new Date().toISOString();
const loadavgBefore = loadavg();
const redis = await startRedis();
const sink = await startNullSink();
const labels = Object.keys(measured);
process.stderr.write(`${node.path} (${node.version}) under ${valgrindVersion}: ${labels.join(', ')}\n`);
let runs;
try {
  const tasks = labels.flatMap((name) =>
    [lo, hi].map((n) => () => measure(measured[name], n, redis.url, sink.url)),
  );
  runs = await pool(tasks, jobs);
} finally {
  await stopAll();
}
const costs = Object.fromEntries(labels.map((name, i) => [name, perRequest(runs[2 * i], runs[2 * i + 1])]));
const base = costs.none;
const total = (m) => [...m.values()].reduce((s, v) => s + v, 0);
const variants = labels.map((name) => {
  const delta = new Map(costs[name]);
  for (const [fn, ir] of base) delta.set(fn, (delta.get(fn) ?? 0) - ir);
  const byCategory = {};
  for (const [fn, ir] of delta) byCategory[categoryOf(fn)] = (byCategory[categoryOf(fn)] ?? 0) + ir;
  const top = [...delta]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([fn, ir]) => ({ function: fn, category: categoryOf(fn), instructions: Math.round(ir) }));
  return {
    name,
    variant: measured[name],
    instructionsPerRequest: Math.round(total(costs[name])),
    deltaPerRequest: Math.round(total(costs[name]) - total(base)),
    deltaByCategory: Object.fromEntries(Object.entries(byCategory).map(([k, v]) => [k, Math.round(v)])),
    topDelta: name === 'none' ? [] : top,
    ...(costs[`${name} [before]`] === undefined
      ? {}
      : { changesVsBefore: changesBetween(costs[`${name} [before]`], costs[name]) }),
  };
});
const file = writeResult(perNodeName('instructions', node.version), {
  kind: 'instructions',
  startedAt,
  finishedAt: new Date().toISOString(),
  // Recorded for the record only: the counts do not depend on load (see the header).
  loadavgBefore,
  loadavgAfter: loadavg(),
  node: node.version,
  nodePath: node.path,
  valgrind: valgrindVersion,
  requests: [lo, hi],
  warmup,
  before: values.before ?? null,
  variants,
});
for (const v of variants) {
  process.stdout.write(
    `${v.name.padEnd(24)} ${v.instructionsPerRequest.toLocaleString('en-US').padStart(10)} instructions/request  Δ ${v.deltaPerRequest.toLocaleString('en-US')}\n`,
  );
}
process.stdout.write(`wrote ${file}\n`);
