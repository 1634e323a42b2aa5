import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/errors.js';
import { COLLECTOR_ERRORS, CollectorError } from '../src/index.js';

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The rows of the README's "Error codes" table: code → HTTP status. */
function readmeTable(): Map<string, number> {
  const section = readme.slice(readme.indexOf('### Error codes'));
  const rows = new Map<string, number>();
  for (const match of section.matchAll(/^\| `(AUTOBOT_ERR_COLLECTOR_[A-Z_]+)` +\| (\d{3}) +\|/gm)) {
    rows.set(match[1] as string, Number(match[2]));
  }
  return rows;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('collector error codes', () => {
  it("the README's table is the registry, row for row, in both directions", () => {
    const table = readmeTable();
    const registry = new Map(Object.entries(COLLECTOR_ERRORS).map(([code, { status }]) => [code, status]));
    expect([...table.keys()].sort()).toEqual([...registry.keys()].sort());
    for (const [code, status] of registry) expect(table.get(code), code).toBe(status);
  });

  it('every code literal in src/ is registered', () => {
    const used = new Set<string>();
    for (const file of sourceFiles(SRC)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/AUTOBOT_ERR_COLLECTOR_[A-Z_]*[A-Z]/g))
        used.add(match[0]);
    }
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((code) => !(code in COLLECTOR_ERRORS))).toEqual([]);
  });

  it('every error class of src/errors.ts carries a registered code and its status', () => {
    const classes = (Object.values(errors) as unknown[]).filter(
      (value): value is new (...args: never[]) => CollectorError =>
        typeof value === 'function' && value.prototype instanceof CollectorError,
    );
    expect(classes.length).toBeGreaterThan(10);
    for (const ErrorClass of classes) {
      // Every constructor takes (message or timeout, …); the values do not matter for code and status.
      const error = new (ErrorClass as unknown as new (...args: unknown[]) => CollectorError)('x', 1, 'y');
      const entry = COLLECTOR_ERRORS[error.code as keyof typeof COLLECTOR_ERRORS];
      expect(entry?.status, ErrorClass.name).toBe(error.statusCode);
    }
  });
});
