// The quiet-machine gate of the benchmarks: wait for the 1-minute load average to fall below a
// bound before measuring, refuse to measure (exit 3) when it does not unless forced, and record
// the load around the run in the result file.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { sleep } from './procs.mjs';

/** parseArgs option specs of the gate: `--force`, `--max-load`, `--settle-wait` (seconds). */
export const QUIET_OPTIONS = Object.freeze({
  force: { type: 'boolean', default: false },
  'max-load': { type: 'string', default: '0.5' },
  'settle-wait': { type: 'string', default: '180' },
});

/**
 * Wait up to `waitS` seconds for the 1-minute load average to drop below `max`, logging every
 * 10 s through `log`; true when it did.
 */
export async function waitForQuiet(max, waitS, log = (line) => console.error(line)) {
  const deadline = Date.now() + waitS * 1000;
  for (;;) {
    const load = loadavg()[0];
    if (load < max) return true;
    if (Date.now() >= deadline) return false;
    log(`waiting for a quiet machine: 1-min load average ${load.toFixed(2)} ≥ ${max}`);
    await sleep(10_000);
  }
}

/**
 * The gate with parsed {@link QUIET_OPTIONS} `values`: waits, then exits the process with code 3
 * when the machine stayed busy and `--force` was not given. Resolves with the fields a result
 * file records (`quiet`, `forced`, `maxLoad`, `loadavgBefore`); add `loadavgAfter: loadavg()`
 * when the run ends.
 */
export async function quietGate(values, log = (line) => console.error(line)) {
  const maxLoad = Number(values['max-load']);
  const quiet = await waitForQuiet(maxLoad, Number(values['settle-wait']), log);
  if (!quiet && !values.force) {
    log(
      `refusing to measure: the 1-minute load average is still ${loadavg()[0].toFixed(2)} (≥ ${maxLoad}) after ${values['settle-wait']} s; other work is running. Use --force to measure anyway (results are marked forced).`,
    );
    process.exit(3);
  }
  return { quiet, forced: !quiet, maxLoad, loadavgBefore: loadavg() };
}

/**
 * The host's CPU time counters from /proc/stat (jiffies): `steal` is time the hypervisor gave this
 * VM's CPUs to other guests, the noise a load average cannot show. null where /proc is missing.
 */
export function hostCpuTimes() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return null;
  }
}

/** Percent of CPU time stolen by the hypervisor between two {@link hostCpuTimes} readings. */
export function stealPercent(before, after) {
  if (before === null || after === null || after.total === before.total) return null;
  return Number(((100 * (after.steal - before.steal)) / (after.total - before.total)).toFixed(2));
}

/**
 * The fields every gated result file records about where and when it ran: the machine, the
 * start (`startedAt`, an ISO string) and end, the gate's fields (from {@link quietGate}), the load
 * average after, and the steal since `hostAtStart` (a {@link hostCpuTimes} reading).
 */
export function runConditions(startedAt, gate, hostAtStart) {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    startedAt,
    finishedAt: new Date().toISOString(),
    ...gate,
    loadavgAfter: loadavg(),
    stealPercent: stealPercent(hostAtStart, hostCpuTimes()),
  };
}
