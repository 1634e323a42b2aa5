// Process helpers shared by the benchmarks and the fault runs: spawn a node script (optionally
// niced), wait for its JSON "listening" line, read its RSS from /proc, start Redis and the
// collector on ephemeral ports, and stop everything that was started.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { collectorCliPath, freePort, onLines, parseLine, ROOT, redisServerArgs } from '@autobot/test-kit';

export { freePort, ROOT };
export const COLLECTOR_CLI = collectorCliPath();

const started = new Set();

/**
 * Spawn `command args` and collect stdout lines (JSON-parsed where possible) and stderr.
 * `nice` > 0 runs it under `nice -n`.
 */
export function startProcess(command, args, { env = {}, nice = 0, name = command } = {}) {
  const [cmd, argv] = nice > 0 ? ['nice', ['-n', String(nice), command, ...args]] : [command, args];
  const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = { name, child, lines: [], stderr: '', waiters: new Set(), exitCode: undefined };
  onLines(child.stdout, (text) => {
    proc.lines.push(parseLine(text));
    for (const wake of proc.waiters) wake();
  });
  child.stderr.on('data', (chunk) => {
    proc.stderr += chunk.toString();
    if (proc.stderr.length > 1_000_000) proc.stderr = proc.stderr.slice(-500_000);
  });
  proc.exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      proc.exitCode = code ?? signal;
      started.delete(proc);
      for (const wake of proc.waiters) wake();
      resolve(code ?? signal);
    }),
  );
  started.add(proc);
  return proc;
}

/**
 * The Node binary the measured processes run under: `path` (from `--node`), else
 * `AUTOBOT_BENCH_NODE`, else the one running the harness. Throws when it cannot be run.
 */
export function benchNode(path = process.env.AUTOBOT_BENCH_NODE || undefined) {
  const binary = path ?? process.execPath;
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  return { path: binary, version };
}

/** Spawn `node [nodeArgs] script [args]`; `node` picks another Node binary (default: this one). */
export function startNode(script, { nodeArgs = [], args = [], node = process.execPath, ...options } = {}) {
  return startProcess(node, [...nodeArgs, script, ...args], { name: script, ...options });
}

/** Resolve with the first JSON stdout line matching `predicate`. */
export function waitForLine(proc, predicate, timeoutMs = 20_000) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = proc.lines.find((l) => typeof l === 'object' && l !== null && predicate(l));
      if (found) {
        done();
        resolve(found);
      } else if (proc.exitCode !== undefined) {
        done();
        reject(
          new Error(
            `${proc.name} exited (${proc.exitCode}) before the expected line; stderr:\n${proc.stderr}`,
          ),
        );
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${proc.name}: expected line not seen in ${timeoutMs} ms; stderr:\n${proc.stderr}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      proc.waiters.delete(check);
    };
    proc.waiters.add(check);
    check();
  });
}

/** Send `signal` and wait for exit; SIGKILL after `killAfterMs`. Resolves with the exit code/signal. */
export async function stopProcess(proc, signal = 'SIGTERM', killAfterMs = 10_000) {
  if (proc.exitCode !== undefined) return proc.exitCode;
  proc.child.kill(signal);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), killAfterMs);
  const code = await proc.exited;
  clearTimeout(timer);
  return code;
}

/** Stop every process these helpers started (SIGKILL: for teardown after a failure). */
export async function stopAll() {
  await Promise.all([...started].map((p) => stopProcess(p, 'SIGKILL', 1000)));
}

/** Resident set size of `pid` in bytes, from /proc (0 if gone). `peak` reads VmHWM instead. */
export function rssOf(pid, peak = false) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = status.match(peak ? /VmHWM:\s+(\d+) kB/ : /VmRSS:\s+(\d+) kB/);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) consumed by `pid` so far, in microseconds (0 if gone). */
export function cpuTimeUs(pid) {
  return statCpuUs(`/proc/${pid}/stat`);
}

/**
 * CPU time (µs) of a process's main thread alone (its thread id is the process id): on a
 * single-threaded ingest path this is the figure that bounds the rate, whatever the other
 * threads (garbage collection, WAL checkpoints) add to the process total.
 */
export function mainThreadCpuTimeUs(pid) {
  return statCpuUs(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuUs(path) {
  try {
    const stat = readFileSync(path, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return (ticks * 1e6) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** Sample the RSS of `pids` every `intervalMs`; `stop()` returns the peak per pid. */
export function sampleRss(pids, intervalMs = 200) {
  const peaks = new Map(pids.map((pid) => [pid, rssOf(pid)]));
  const timer = setInterval(() => {
    for (const pid of pids) peaks.set(pid, Math.max(peaks.get(pid), rssOf(pid)));
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      for (const pid of pids) peaks.set(pid, Math.max(peaks.get(pid), rssOf(pid)));
      return peaks;
    },
  };
}

/** A throwaway redis-server on a free port, no persistence. */
export async function startRedis() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('redis-server is not on PATH: install it with `apt-get install redis-server`');
  }
  const port = await freePort();
  const proc = startProcess('redis-server', redisServerArgs(port), { name: 'redis-server' });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start in 10 s')), 10_000);
    const check = () => {
      if (proc.lines.some((l) => typeof l === 'string' && l.includes('Ready to accept connections'))) {
        clearTimeout(timer);
        proc.waiters.delete(check);
        resolve();
      }
    };
    proc.waiters.add(check);
    check();
  });
  return { proc, port, url: `redis://127.0.0.1:${port}` };
}

/**
 * A receiver that reads each OTLP/HTTP request and discards it (bench/collector/null-sink.mjs):
 * the far end of the export variants, so their exports really go over HTTP. Resolves with the
 * traces endpoint.
 */
export async function startNullSink() {
  const sink = startNode(fileURLToPath(new URL('../collector/null-sink.mjs', import.meta.url)), {
    name: 'null-sink',
  });
  const { httpPort } = await waitForLine(sink, (l) => l.event === 'listening');
  return { proc: sink, url: `http://127.0.0.1:${httpPort}/v1/traces` };
}

/**
 * The collector CLI in its own process (`autobot-trace serve`), on the given (or ephemeral)
 * ports. `db` defaults to `:memory:`.
 */
export async function startCollectorProcess({
  grpcPort = 0,
  httpPort = 0,
  queryPort = 0,
  db = ':memory:',
  nice = 0,
  extraArgs = [],
  cli = COLLECTOR_CLI,
} = {}) {
  const real = startProcess(
    process.execPath,
    [
      cli,
      'serve',
      '--grpc-port',
      String(grpcPort),
      '--http-port',
      String(httpPort),
      '--query-port',
      String(queryPort),
      '--db',
      db,
      ...extraArgs,
    ],
    { nice, name: 'collector' },
  );
  const listening = await waitForLine(real, (l) => l.event === 'listening');
  const query = `http://127.0.0.1:${listening.queryPort}`;
  return {
    proc: real,
    grpcPort: listening.grpcPort,
    httpPort: listening.httpPort,
    queryPort: listening.queryPort,
    grpcUrl: `http://127.0.0.1:${listening.grpcPort}`,
    httpUrl: `http://127.0.0.1:${listening.httpPort}/v1/traces`,
    query,
    /** `/status` of the collector. */
    async status() {
      const response = await fetch(`${query}/status`);
      return response.json();
    },
  };
}

/** Poll `read()` until its value stays the same for `quietMs` (or `timeoutMs` passes). */
export async function settle(read, quietMs = 1500, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) break;
  }
  return last;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
