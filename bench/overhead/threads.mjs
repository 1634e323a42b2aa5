// Where the extra CPU of a traced request is spent, by thread and by kind: the same A → B pair as
// run.mjs, each configuration serving a fixed number of requests per round (rounds alternated),
// and for A, B, the OTLP sink and Redis, per request served: CPU of the main thread and of the
// other threads (V8's compiler and GC workers, libuv's pool) split into user and system time,
// read/write-class system calls (/proc/<pid>/io) and context switches. Counting requests rather
// than timing them makes these figures independent of how fast the machine happens to run.
//
// A's processes run pinned to CPU 0 and everything else (this harness, B, Redis, the sink, the
// load generator) to the other CPUs (`taskset`; --no-pin leaves the scheduler free). Unpinned,
// with five busy processes on two cores, the same configuration's CPU per request moved by up to
// 40 % from one round to the next with no steal at all (where each process lands decides what
// its caches hold). Pinned, the spread narrows, but a round can still differ from the untraced
// run of the same round by ±30 µs: differences smaller than that need the instruction counts
// (instructions.mjs).
// Writes bench/results/threads-node<major>.json.
//
//   node bench/overhead/threads.mjs [--requests 15000] [--rounds 6] [--no-pin] [--node <path>] [--force]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { startPair } from '../lib/app-pair.mjs';
import { runLoad } from '../lib/load-client.mjs';
import { startOtlpSink } from '../lib/otlp-sink.mjs';
import { benchNode, sleep, startRedis, stopAll, stopProcess } from '../lib/procs.mjs';
import { hostCpuTimes, QUIET_OPTIONS, quietGate, runConditions, stealPercent } from '../lib/quiet.mjs';
import { perNodeName, writeResult } from '../lib/results.mjs';
import { median } from '../lib/stats.mjs';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '15000' },
    rounds: { type: 'string', default: '6' },
    pin: { type: 'boolean', default: true },
    node: { type: 'string' },
    ...QUIET_OPTIONS,
  },
});
const node = benchNode(values.node);
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const CONFIGS = [
  { id: 'untraced', trace: 'none' },
  // The context manager alone (bench/apps/app.cjs, TRACE=context): what keeping a request's
  // context in AsyncLocalStorage costs before any tracing work.
  { id: 'context only', trace: 'context' },
  { id: 'ours@0', trace: 'ours', rate: 0 },
  { id: 'ours@1.0', trace: 'ours', rate: 1 },
  // The same with one propagation format on the wire (no `b3` header): what B3 costs.
  { id: 'ours@1.0, W3C only', trace: 'ours', rate: 1, extraEnv: { AUTOBOT_TRACE_B3_INJECT: 'none' } },
  // …and no `traceresponse` on the responses either: the fewest headers our tracing can send.
  {
    id: 'ours@1.0, W3C only, no traceresponse',
    trace: 'ours',
    rate: 1,
    extraEnv: { AUTOBOT_TRACE_B3_INJECT: 'none', AUTOBOT_TRACE_RESPONSE_HEADER: 'false' },
  },
];
const CLOCK_TICK_US = 10_000; // USER_HZ 100
const log = (line) => process.stderr.write(`${line}\n`);

/** Counters of one process: CPU (µs) of its main thread and of the others, syscalls, switches. */
function counters(pid) {
  const c = { mainUser: 0, mainSys: 0, otherUser: 0, otherSys: 0, switches: 0, involuntary: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat;
    let status;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const prefix = tid === String(pid) ? 'main' : 'other';
    c[`${prefix}User`] += Number(fields[11]) * CLOCK_TICK_US;
    c[`${prefix}Sys`] += Number(fields[12]) * CLOCK_TICK_US;
    c.switches += Number(status.match(/^voluntary_ctxt_switches:\s+(\d+)/m)?.[1] ?? 0);
    c.involuntary += Number(status.match(/^nonvoluntary_ctxt_switches:\s+(\d+)/m)?.[1] ?? 0);
  }
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  c.readCalls = Number(io.match(/^syscr:\s+(\d+)/m)?.[1] ?? 0);
  c.writeCalls = Number(io.match(/^syscw:\s+(\d+)/m)?.[1] ?? 0);
  return c;
}

/**
 * Pin every thread of `pid` to `cpus` (a taskset list); children started later inherit it.
 * False (with a warning) where it cannot: one CPU, or no taskset.
 */
function pinTo(pid, cpus) {
  if (availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch (error) {
    log(`not pinned (taskset ${cpus} ${pid}: ${error.message})`);
    return false;
  }
}

const perRequest = (before, after, served) =>
  Object.fromEntries(Object.keys(after).map((k) => [k, (after[k] - before[k]) / served]));

const gate = await quietGate(values, log);
const pinned = values.pin && pinTo(process.pid, `1-${availableParallelism() - 1}`);
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
try {
  const startedAt = new Date().toISOString();
  const hostAtStart = hostCpuTimes();
  const redis = await startRedis();
  const sink = await startOtlpSink({ nice: 10 });
  const pairs = [];
  for (const config of CONFIGS)
    pairs.push(await startPair(config, { collector: sink, redisUrl: redis.url, node: node.path }));
  if (pinned) for (const pair of pairs) pinTo(pair.a.child.pid, '0');
  // Warm-up: enough requests for the JIT to settle before anything is counted.
  for (const pair of pairs)
    await runLoad(`${pair.url}/api/work/42`, { connections: 20, amount: requests / 2 });

  const runs = [];
  for (let round = 0; round < rounds; round++) {
    for (const pair of pairs.map((_, i) => pairs[(i + round) % pairs.length])) {
      await sleep(300);
      const processes = {
        a: pair.a.child.pid,
        b: pair.b.child.pid,
        sink: sink.proc.child.pid,
        redis: redis.proc.child.pid,
      };
      const before = Object.fromEntries(Object.entries(processes).map(([k, pid]) => [k, counters(pid)]));
      const host = hostCpuTimes();
      const result = await runLoad(`${pair.url}/api/work/42`, { connections: 20, amount: requests });
      const stolen = stealPercent(host, hostCpuTimes());
      const served = result.ok + result.non2xx;
      const run = { config: pair.config.id, round, served, stealPercent: stolen };
      for (const [k, pid] of Object.entries(processes)) run[k] = perRequest(before[k], counters(pid), served);
      log(
        `round ${round} ${pair.config.id}: A main ${(run.a.mainUser + run.a.mainSys).toFixed(0)} µs/req, steal ${stolen} %`,
      );
      runs.push(run);
    }
  }
  for (const pair of pairs) await pair.stop();
  await stopProcess(sink.proc);
  await stopProcess(redis.proc);

  const summary = CONFIGS.map(({ id }) => {
    const mine = runs.filter((r) => r.config === id);
    const out = { config: id };
    for (const proc of ['a', 'b', 'sink', 'redis']) {
      out[proc] = Object.fromEntries(
        Object.keys(mine[0][proc]).map((k) => [k, median(mine.map((r) => r[proc][k]))]),
      );
    }
    return out;
  });
  const file = writeResult(perNodeName('threads', node.version), {
    node: node.version,
    nodePath: node.path,
    ...runConditions(startedAt, gate, hostAtStart),
    requests,
    rounds,
    pinned,
    summary,
    runs,
  });
  log(`wrote ${file}`);
} finally {
  await stopAll();
}
