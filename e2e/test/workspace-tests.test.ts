import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execFileAsync, ROOT, readPackage, workspaces } from './helpers/repo.js';

function testFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.test.ts')) out.push(relative(join(ROOT, dir), path));
    }
  };
  if (existsSync(join(ROOT, dir, 'test'))) walk(join(ROOT, dir, 'test'));
  return out.sort();
}

const withTests = workspaces().filter((dir) => testFiles(dir).length > 0);
const tmp = mkdtempSync(join(tmpdir(), 'autobot-ws-tests-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// `npm test -w <workspace>` must run that workspace's own test files. Every workspace's script is
// checked to select its own vitest project (whose root is that folder); a few cheap ones are run
// for real (running all would import the whole suite a second time). A name filter that matches
// nothing keeps those cheap: vitest still collects every file, so the count is real, but runs no test.
const RUN_FOR_REAL = ['packages/pki', 'packages/dev-model', 'services/frontend'];

describe('each workspace runs its own tests with `npm test -w`', () => {
  it('finds workspaces with tests', () => {
    expect(withTests).toEqual(
      expect.arrayContaining(['packages/tracing', 'packages/pki', 'packages/collector']),
    );
  });

  it("every test script selects the workspace's own vitest project", async () => {
    const { default: config } = (await import('../../vitest.config.js')) as {
      default: { test: { projects: { test: { name: string; root: string } }[] } };
    };
    const roots = new Map(config.test.projects.map((p) => [p.test.name, p.test.root.replace(/\/$/, '')]));
    for (const dir of withTests) {
      const script = readPackage(dir).scripts?.test ?? '';
      // `--root` leads from the workspace back to the repository root (e2e/ is one level down).
      const project = /^vitest run --root \.\.(?:\/\.\.)? --project (\S+)$/.exec(script)?.[1];
      expect(project, `${dir}: test script "${script}"`).toBeDefined();
      expect(roots.get(project as string), `${dir}: project ${project}`).toBe(join(ROOT, dir));
    }
  });

  for (const dir of RUN_FOR_REAL) {
    it(`npm test -w ${dir} collects exactly its test files`, { timeout: 120_000 }, async () => {
      const report = join(tmp, `${dir.replace('/', '-')}.json`);
      await execFileAsync(
        'npm',
        [
          'test',
          '-w',
          dir,
          '--',
          '-t',
          '^no test has this name$',
          '--reporter=json',
          `--outputFile=${report}`,
        ],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      );
      const result = JSON.parse(readFileSync(report, 'utf8')) as { testResults: { name: string }[] };
      const collected = result.testResults.map((r) => relative(join(ROOT, dir), r.name)).sort();
      expect(collected).toEqual(testFiles(dir));
    });
  }
});
