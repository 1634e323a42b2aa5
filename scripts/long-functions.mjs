#!/usr/bin/env node
// Lists functions longer than a limit (default 80 lines), longest first: issue 13's "no function
// over 80 lines outside declarative tables". Test files (their describe/it callbacks are lists of
// cases) are left out unless --tests is given.
// Usage: node scripts/long-functions.mjs [--max 80] [--tests] [dir...]
// Parses with the TypeScript compiler already in devDependencies; skips node_modules, dist and
// build output. Exit code 0 always: this is a report, not a gate.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';
import { ROOT } from './lib/stack.mjs';

const { values, positionals } = parseArgs({
  options: { max: { type: 'string', default: '80' }, tests: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const max = Number(values.max);
const roots = positionals.length > 0 ? positionals : ['packages', 'services', 'scripts', 'e2e', 'bench'];
const SKIP = new Set(['node_modules', 'dist', 'coverage', '.autobot', '.readme-examples']);
const SOURCE = /\.(ts|mts|mjs|js)$/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') && (values.tests || !isTest(path)))
      yield path;
  }
}

function isTest(path) {
  const rel = relative(ROOT, path);
  return /(^|\/)test\//.test(rel) || /\.test\.m?[jt]s$/.test(rel);
}

function nameOf(node, source) {
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(source);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(source);
  if (parent && ts.isCallExpression(parent))
    return `(callback of ${parent.expression.getText(source).slice(0, 40)})`;
  return '(anonymous)';
}

const long = [];
for (const root of roots) {
  for (const path of files(join(ROOT, root))) {
    const text = readFileSync(path, 'utf8');
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.end).line;
        const lines = end - start + 1;
        if (lines > max)
          long.push({ file: relative(ROOT, path), line: start + 1, name: nameOf(node, source), lines });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
}
long.sort((a, b) => b.lines - a.lines);
for (const f of long) console.log(`${String(f.lines).padStart(4)}  ${f.file}:${f.line}  ${f.name}`);
console.log(`${long.length} function(s) over ${max} lines`);
