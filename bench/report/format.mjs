// Number and table formatting shared by the sections of bench/RESULTS.md (bench/report.mjs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/procs.mjs';

export { median } from '../lib/stats.mjs';

/** Installed version of a dependency, read from its package.json (exports maps may hide it). */
export const versionOf = (name) => {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
};

/** Bytes as whole MiB, e.g. `84 MB`. */
export const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
/** A ratio with two decimals, e.g. `1.05×`. */
export const x = (v) => `${v.toFixed(2)}×`;
export const verdict = (ok) => (ok ? '**met**' : '**missed**');
/** One Markdown table row. */
export const row = (cells) => `| ${cells.join(' | ')} |`;

/** The cells every load table starts with: configuration, req/s, ratio, p50, p99, CPU µs/req. */
export const loadCells = (s) => [
  s.config,
  s.reqPerSec.toFixed(0),
  x(s.ratio),
  s.p50,
  s.p99,
  s.cpuUsPerReq.toFixed(0),
];
/** A whole number with thousands separators. */
export const n = (v) => Math.round(v).toLocaleString('en-US');
/** {@link n} with its sign: `+1,234`, `−56`. */
export const signed = (v) => (v >= 0 ? `+${n(v)}` : `−${n(-v)}`);

/** The load averages around a gated run (bench/lib/quiet.mjs), and whether it was forced. */
export function loadLine(result) {
  const avg = (xs) => xs.map((v) => v.toFixed(1)).join(' / ');
  return `load average ${avg(result.loadavgBefore)} before, ${avg(result.loadavgAfter)} after${result.forced ? ` — **not quiet** (1-min load ≥ ${result.maxLoad}; run with --force): treat rates and latencies as noise` : ` (waited for 1-min load < ${result.maxLoad})`}${typeof result.stealPercent === 'number' ? `; hypervisor steal ${result.stealPercent} % over the run` : ''}`;
}

/** What breakdown.mjs's measured process does, for the per-piece sections. */
export const MEASURED_REQUEST =
  'A via inject → Redis GET → fetch to B on loopback, 20 in flight; spans discarded, except by the `+ export` variants, which send them as OTLP/HTTP protobuf to a process that reads and discards them';
