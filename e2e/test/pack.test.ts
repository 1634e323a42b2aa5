import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startTestCollector, type TestCollector } from '@autobot/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, waitForTrace } from './helpers/processes.js';
import { ROOT, readPackage } from './helpers/repo.js';

const execFileAsync = promisify(execFile);

// The README's "Use it in your own service": `npm run pack`, install the tarball in a project
// outside this repository, compile a TypeScript Fastify service against it, run it, and find its
// trace in a real collector. The install prefers the local npm cache (CI has just run `npm ci`).
const project = mkdtempSync(join(tmpdir(), 'autobot-consumer-'));
const packDir = join(project, 'tarballs');
let tarballs: { name: string; file: string }[] = [];
let collector: TestCollector;

const SERVICE = `import { getTracingService } from '@autobot/tracing';
import Fastify from 'fastify';

const tracing = getTracingService();
tracing.initialize({ serviceName: 'my-service', serviceVersion: '1.0.0' });
const app = Fastify();
tracing.instrumentAll(app);

app.get<{ Params: { id: string } }>('/orders/:id', async (request) =>
  tracing.span('orders.lookup', { attributes: { 'order.id': request.params.id } }, async () => ({
    id: request.params.id,
    status: 'shipped',
  })),
);

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
console.log('listening');
`;

beforeAll(async () => {
  collector = await startTestCollector();
  const { stdout } = await execFileAsync(
    'npm',
    ['run', '--silent', 'pack', '--', '--json', '--out', packDir],
    {
      cwd: ROOT,
    },
  );
  tarballs = JSON.parse(stdout.trim().split('\n').pop() ?? '[]');
}, 120_000);

afterAll(async () => {
  await collector?.close();
  rmSync(project, { recursive: true, force: true });
});

describe('npm run pack', () => {
  it('packs the libraries', () => {
    expect(tarballs.map((t) => t.name)).toEqual(['@autobot/tracing', '@autobot/llm', '@autobot/pki']);
    for (const t of tarballs) expect(existsSync(t.file)).toBe(true);
  });

  it('every export of every tarball has its JavaScript and its types', async () => {
    for (const t of tarballs) {
      const { stdout } = await execFileAsync('tar', ['tzf', t.file]);
      const files = new Set(stdout.split('\n').map((f) => f.replace(/^package\//, '')));
      const dir = `packages/${t.name.split('/')[1]}`;
      const pkg = readPackage(dir);
      for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
        expect(files, `${t.name} ${subpath} types`).toContain(target.types?.replace(/^\.\//, ''));
        expect(files, `${t.name} ${subpath} default`).toContain(target.default?.replace(/^\.\//, ''));
      }
      for (const bin of Object.values(pkg.bin ?? {})) expect(files).toContain(bin.replace(/^\.\//, ''));
      expect([...files].filter((f) => f.startsWith('test/') || f.startsWith('src/'))).toEqual([]);
    }
  });

  it('a TypeScript Fastify service outside the repo installs the tarball, compiles, runs and is traced', {
    timeout: 300_000,
  }, async () => {
    const app = join(project, 'app');
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'my-service', private: true, type: 'module' }, null, 2),
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          outDir: 'dist',
          rootDir: 'src',
          types: ['node'],
        },
      }),
    );
    writeFileSync(join(app, 'src', 'main.ts'), SERVICE);
    const tracingTgz = tarballs.find((t) => t.name === '@autobot/tracing')?.file ?? '';
    const fastify = readPackage('services/backend').dependencies?.fastify ?? '^5';
    await execFileAsync(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        tracingTgz,
        `fastify@${fastify}`,
        '@opentelemetry/api@^1.9.0',
        '@types/node@^20.19.0',
      ],
      { cwd: app, maxBuffer: 16 * 1024 * 1024 },
    );
    // The service resolves the library from its own node_modules, not from this repo.
    expect(existsSync(join(app, 'node_modules', '@autobot', 'tracing', 'dist', 'index.js'))).toBe(true);

    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await execFileAsync(process.execPath, [tsc, '-p', app]).catch((error: { stdout: string }) => {
      throw new Error(`tsc failed:\n${error.stdout}`);
    });

    const port = await freePort();
    const service = start(process.execPath, ['dist/main.js'], {
      cwd: app,
      env: {
        ...process.env,
        PORT: String(port),
        AUTOBOT_JAEGER_ENDPOINT: `http://127.0.0.1:${collector.grpcPort}`,
        AUTOBOT_TRACE_SCHEDULE_DELAY_MS: '100',
      },
    });
    let traceId = '';
    try {
      await service.waitFor(/^listening$/);
      const response = await fetch(`http://127.0.0.1:${port}/orders/42`);
      expect(await response.json()).toEqual({ id: '42', status: 'shipped' });
      traceId = response.headers.get('traceresponse')?.split('-')[1] ?? '';
    } finally {
      await service.stop();
    }
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const spans = await waitForTrace(
      `http://127.0.0.1:${collector.queryPort}`,
      traceId,
      (s) => s.length >= 2,
    );
    const root = spans.find((s) => s.name === 'HTTP GET /orders/:id');
    const lookup = spans.find((s) => s.name === 'orders.lookup');
    expect(root?.service).toBe('my-service');
    expect(lookup?.parentId).toBe(root?.spanId);
    expect(lookup?.tags['order.id']).toBe('42');
  });
});
