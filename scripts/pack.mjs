#!/usr/bin/env node
// `npm run pack [-- --out <dir>]`: tarballs of the libraries another project can install
// (`npm install ./autobot-tracing-0.1.0.tgz`). Builds them first (tsc -b is incremental), then
// `npm pack`s each with its built files, and prints one line per tarball (`--json`: a JSON array).
// The packages are unpublished; `npm pack` works on them all the same.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Libraries in dependency order: llm and pki depend on tracing (install their tarballs together). */
export const LIBRARIES = ['packages/tracing', 'packages/llm', 'packages/pki'];

const { values } = parseArgs({
  options: { out: { type: 'string', default: join(ROOT, '.autobot', 'pack') }, json: { type: 'boolean' } },
});
const out = resolve(values.out);
mkdirSync(out, { recursive: true });

execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', ...LIBRARIES], {
  cwd: ROOT,
  stdio: 'inherit',
});
const packed = JSON.parse(
  execFileSync(
    'npm',
    ['pack', '--json', '--pack-destination', out, ...LIBRARIES.flatMap((dir) => ['--workspace', dir])],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  ),
);
const result = packed.map((p) => ({
  name: p.name,
  version: p.version,
  file: join(out, p.filename),
  files: p.files.length,
}));
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else for (const r of result) process.stdout.write(`${r.name}@${r.version}  ${r.file}  (${r.files} files)\n`);
