// Fault runs write what they measured to bench/results/faults.json (merged by key), for
// bench/RESULTS.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/procs.mjs';

const FILE = join(ROOT, 'bench/results/faults.json');

/** Store `value` under `key` in faults.json. */
export function record(key, value) {
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const current = existsSync(FILE) ? JSON.parse(readFileSync(FILE, 'utf8')) : {};
  current.node = process.version;
  current.cpu = cpus()[0]?.model;
  current[key] = { ...value, at: new Date().toISOString() };
  writeFileSync(FILE, `${JSON.stringify(current, null, 2)}\n`);
}
