import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execFileAsync, ROOT, readPackage, workspaces } from './helpers/repo.js';

// Every CLI a workspace declares, with the first line its --help prints.
const bins = workspaces().flatMap((dir) =>
  Object.entries(readPackage(dir).bin ?? {}).map(([name, file]) => ({ dir, name, file })),
);

// Any registry request fails fast: a CLI that npx would fetch instead of running locally fails.
const NO_REGISTRY = {
  ...process.env,
  npm_config_registry: 'http://127.0.0.1:9/',
  npm_config_offline: 'true',
};

describe('CLI bins', () => {
  it('declares the three README commands', () => {
    expect(bins.map((b) => b.name).sort()).toEqual(['autobot-dev-model', 'autobot-pki', 'autobot-trace']);
  });

  for (const { dir, name, file } of bins) {
    it(`${name}: the bin is a committed file, not a build output (npm links it before anything is built)`, async () => {
      expect(file).not.toMatch(/(^|\/)dist\//);
      const { stdout } = await execFileAsync('git', ['ls-files', '--error-unmatch', join(dir, file)], {
        cwd: ROOT,
      });
      expect(stdout.trim()).toBe(join(dir, file).replace(/^\.\//, '').replace('/./', '/'));
    });

    it(`${name}: \`npx --no-install ${name} --help\` runs the local build from the repo root`, async () => {
      const { stdout, stderr } = await execFileAsync('npx', ['--no-install', name, '--help'], {
        cwd: ROOT,
        env: NO_REGISTRY,
      });
      expect(`${stdout}${stderr}`).toMatch(new RegExp(`usage: ${name}`));
    });

    it(`${name}: without a build, the shim names the build command and exits 1`, async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'autobot-bin-'));
      try {
        mkdirSync(join(tmp, 'bin'));
        const shim = join(tmp, 'bin', `${name}.js`);
        copyFileSync(join(ROOT, dir, file), shim);
        const error = await execFileAsync(process.execPath, [shim, '--help']).then(
          () => undefined,
          (e: { code: number; stderr: string }) => e,
        );
        expect(error?.code).toBe(1);
        expect(error?.stderr).toContain(`${name}: not built yet`);
        expect(error?.stderr).toContain('npm run build');
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});
