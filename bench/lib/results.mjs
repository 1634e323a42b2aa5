// Result files under bench/results/: what bench/report.mjs renders into bench/RESULTS.md.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './procs.mjs';

export const RESULTS_DIR = join(ROOT, 'bench/results');

/** Write bench/results/<name>.json; returns its path. */
export function writeResult(name, record) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}

/** bench/results/<name>.json parsed, or null when it does not exist. */
export function readResult(name) {
  const file = join(RESULTS_DIR, `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

/** Every `<prefix>-node<major>.json`, oldest Node first: [{ major, result }]. */
export function readPerNode(prefix) {
  if (!existsSync(RESULTS_DIR)) return [];
  return readdirSync(RESULTS_DIR)
    .map((f) => f.match(new RegExp(`^${prefix}-node(\\d+)\\.json$`)))
    .filter(Boolean)
    .map((m) => ({ major: Number(m[1]), result: readResult(m[0].replace(/\.json$/, '')) }))
    .sort((a, b) => a.major - b.major);
}

/** Every `<prefix>.json` and `<prefix>-<label>.json`, by file name: [{ name, result }]. */
export function readLabelled(prefix) {
  if (!existsSync(RESULTS_DIR)) return [];
  return readdirSync(RESULTS_DIR)
    .filter((f) => f === `${prefix}.json` || (f.startsWith(`${prefix}-`) && f.endsWith('.json')))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), result: readResult(f.replace(/\.json$/, '')) }));
}

/** `overhead-node24` for a Node version string such as `v24.1.0`. */
export function perNodeName(prefix, version) {
  return `${prefix}-node${version.replace(/^v/, '').split('.')[0]}`;
}
