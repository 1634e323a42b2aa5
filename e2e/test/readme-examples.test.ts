import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startTestCollector, type TestCollector } from '@autobot/test-kit';
import { startDevModel } from 'autobot-dev-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, waitForTrace } from './helpers/processes.js';
import { type CodeBlock, readmeBlocks, shellCommands } from './helpers/readme-blocks.js';
import { ROOT } from './helpers/repo.js';

const execFileAsync = promisify(execFile);

// Every README code block is checked here: TypeScript blocks are compiled together against the
// workspace packages (as a user's project would import them) and run against real processes where
// they are self-contained; every shell command is either run below or listed in NOT_RUN_HERE
// with the reason (a new command in a README fails this test until it is one or the other).
const blocks = readmeBlocks();
const tsBlocks = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript');
const shellBlocks = blocks.filter((b) => ['bash', 'sh', 'shell'].includes(b.lang));

/** Commands these tests do not run, by pattern, with the reason. */
const NOT_RUN_HERE: [RegExp, string][] = [
  [/^npm install \/path\/to\/autobot-tracing/, 'run by e2e/test/pack.test.ts with the real tarball path'],
  [/^npm (ci|install)\b/, 'installs dependencies: CI runs it first (.ci/run)'],
  [/^npm test$/, 'the command that runs this test'],
  [/^npm start$/, 'run by e2e/test/start-stop.test.ts (start, request, Ctrl-C, every span stored)'],
  [/^apt-get /, 'system packages: .ci/run installs exactly these'],
  [
    /^npm run (build|lint|bench|test:faults|pack)$/,
    'CI runs build and lint; bench/faults are long, never part of npm test; pack: e2e/test/pack.test.ts',
  ],
  [/^npx vitest run --project \w+$/, 'the test runner itself'],
  [/^npm test -w \S+$/, "e2e/test/workspace-tests.test.ts runs every workspace's npm test"],
  [
    /^npm run (build|dev) -w @autobot\/viewer$/,
    'viewer build runs in npm run build; dev is an interactive Vite server',
  ],
  [/^npx tsc -b packages\/collector$/, 'part of npm run build'],
  [/^export AUTOBOT_PKI_/, 'the test sets these variables itself (a temporary PKI directory)'],
  [
    /^AUTOBOT_JAEGER_ENDPOINT=\S+$/,
    'a variable assignment: the endpoint formats are tested by packages/tracing config tests',
  ],
  [
    /^autobot-pki distribute( --vm|$)/,
    'connects to VMs over SSH: packages/pki/test/distributor.test.ts runs it against a real sshd',
  ],
  [/^docker run /, 'a Jaeger container: no Docker in CI'],
  [/^node --env-file=deploy\/env\//, 'deployment on the six VMs (deploy/README.md)'],
  [
    /^node packages\/collector\/dist\/cli\/main\.js serve --host 0\.0\.0\.0/,
    'deployment variant of the serve line run below',
  ],
  [
    /^autobot-trace serve --host 0\.0\.0\.0 --write-token-file \/etc\//,
    'the secured deployment line (files under /etc): e2e/test/collector/secure-collector.test.ts runs the same flags with generated tokens and certificates',
  ],
  [
    /^(install -d|openssl rand|chmod 600) /,
    'operator steps writing under /etc on the collector VM (deployment)',
  ],
  [/^npx vitest run --project \w+ \S+$/, 'the test runner itself (one folder of a project)'],
  [
    /^node --import @autobot\/tracing\/register dist\/main\.js$/,
    "a template for the reader's own service; e2e/test/tracing/register.test.ts runs the register entry point",
  ],
  [
    /^(\w+=\S+ )+node services\/[\w-]+\/dist\/(node\/)?main\.js$/,
    'starts one reference service for good: npm start runs them all (e2e/test/start-stop.test.ts)',
  ],
];

/** Commands of one README not run here because another README runs the same ones. */
const NOT_RUN_IN_FILE: [string, RegExp, string][] = [
  ['deploy/README.md', /^autobot-pki /, 'packages/pki/README.md runs the same CA commands (one CA per run)'],
  [
    'packages/collector/docs/jaeger-ui/README.md',
    /./,
    'builds the real Jaeger UI from its GitHub sources with pnpm (network, minutes, fixed ports): a recorded manual run (api-log.json, screenshots); packages/collector/test/jaeger-ui.test.ts replays its requests',
  ],
];

const tmp = mkdtempSync(join(tmpdir(), 'autobot-readme-'));
const work = join(ROOT, 'e2e', '.readme-examples'); // inside the repo so imports resolve to the workspaces
let collector: TestCollector;
let queryUrl: string;
let devModel: Awaited<ReturnType<typeof startDevModel>>;
let traceId = '';
let diagnostics = '';

function blockName(block: CodeBlock): string {
  return `${block.file.replace(/\//g, '_').replace(/\.md$/, '')}_L${block.line}`;
}

const baseEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH}`,
  npm_config_registry: 'http://127.0.0.1:9/', // a command that would reach the registry fails
  AUTOBOT_TRACE_URL: queryUrl,
  AUTOBOT_JAEGER_ENDPOINT: `http://127.0.0.1:${collector.grpcPort}`,
  AUTOBOT_TRACE_SCHEDULE_DELAY_MS: '100',
  AUTOBOT_OLLAMA_URL: devModel.url,
  AUTOBOT_PKI_DIR: join(tmp, 'pki'),
  AUTOBOT_PKI_TOPOLOGY: join(ROOT, 'packages', 'pki', 'examples', 'topology.json'),
});

beforeAll(async () => {
  collector = await startTestCollector();
  queryUrl = collector.queryUrl;
  devModel = await startDevModel({ port: 0, tokenDelayMs: 1 });
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFileSync(
    join(work, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.base.json',
      compilerOptions: {
        composite: false,
        incremental: false,
        declaration: false,
        declarationMap: false,
        rootDir: '.',
        outDir: 'dist',
      },
      include: ['*.ts'],
    }),
  );
  for (const block of tsBlocks)
    writeFileSync(join(work, `${blockName(block)}.ts`), `${block.code}\nexport {};\n`);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  diagnostics = await execFileAsync(process.execPath, [tsc, '-p', work], { cwd: work }).then(
    () => '',
    (error: { stdout: string; stderr: string }) => `${error.stdout}${error.stderr}` || 'tsc failed',
  );
}, 180_000);

afterAll(async () => {
  await devModel?.close();
  await collector?.close();
  rmSync(tmp, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('README TypeScript blocks', () => {
  it('finds the blocks of the root, collector, llm, pki and dev-model READMEs', () => {
    expect(new Set(tsBlocks.map((b) => b.file))).toEqual(
      new Set([
        'README.md',
        'packages/collector/README.md',
        'packages/llm/README.md',
        'packages/pki/README.md',
        'packages/dev-model/README.md',
        'packages/service-kit/README.md',
        'packages/tracing/README.md',
      ]),
    );
  });

  it('every block typechecks against the workspace packages', () => {
    expect(diagnostics, 'tsc diagnostics (file names are <README path>_L<line of the block>)').toBe('');
  });

  it('the root README library example serves /api/chat, calls the NPU worker and exports one trace', async () => {
    const block = tsBlocks.find((b) => b.file === 'README.md');
    if (!block) throw new Error('no TypeScript block in README.md');
    const npu = start(process.execPath, ['services/npu-worker/dist/main.js'], {
      cwd: ROOT,
      env: { ...baseEnv(), AUTOBOT_NPU_WORKER_PORT: '0', AUTOBOT_NPU_WORKER_HOST: '127.0.0.1' },
    });
    const port = await freePort();
    try {
      const npuUrl = JSON.parse(await npu.waitFor(/"event":"listening"/)).url as string;
      const app = start(process.execPath, [join(work, 'dist', `${blockName(block)}.js`)], {
        cwd: work,
        env: { ...baseEnv(), AUTOBOT_NPU_WORKER_URL: npuUrl, AUTOBOT_BACKEND_PORT: String(port) },
      });
      try {
        await app.waitFor(/Server listening/);
        const response = await fetch(`http://127.0.0.1:${port}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ message: 'hello from the README' }),
        });
        const body = (await response.json()) as { embeddings?: number[][] };
        expect(response.status, JSON.stringify(body)).toBe(200);
        expect(body.embeddings?.length).toBe(1);
        traceId = response.headers.get('traceresponse')?.split('-')[1] ?? '';
        expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      } finally {
        await app.stop();
      }
      const spans = await waitForTrace(queryUrl, traceId, (s) => s.length >= 4);
      const byName = (name: string) => spans.find((s) => s.name === name);
      const root = byName('HTTP POST /api/chat');
      const handle = byName('chat.handle');
      const client = byName('HTTP POST');
      const embed = byName('HTTP POST /api/embed');
      expect(root?.service).toBe('autobot-backend');
      expect(root?.parentId).toBeUndefined();
      expect(handle?.parentId).toBe(root?.spanId);
      expect(client?.parentId).toBe(handle?.spanId);
      expect(embed?.service).toBe('autobot-npu-worker');
      expect(embed?.parentId).toBe(client?.spanId);
    } finally {
      await npu.stop();
    }
  });

  for (const file of [
    'packages/collector/README.md',
    'packages/dev-model/README.md',
    'packages/llm/README.md',
  ]) {
    it(`the ${file} example runs to completion`, async () => {
      const block = tsBlocks.find((b) => b.file === file);
      if (!block) throw new Error(`no TypeScript block in ${file}`);
      const { stdout } = await execFileAsync(
        process.execPath,
        [join(work, 'dist', `${blockName(block)}.js`)],
        {
          cwd: work,
          env: baseEnv(),
          timeout: 30_000,
        },
      );
      // The llm example streams a canned answer to stdout; the others print nothing.
      if (file.includes('llm')) expect(stdout.length).toBeGreaterThan(0);
    });
  }
  // packages/pki/README.md's example distributes to a VM named in topology.json over SSH: it is
  // typechecked above; the same calls run against a real sshd in packages/pki/test/distributor.test.ts.
});

describe('README shell commands', () => {
  const commands = shellBlocks.flatMap((block) =>
    shellCommands(block.code).map((command) => ({ block, command })),
  );
  const skipped = (command: string, file = '') =>
    NOT_RUN_HERE.find(([pattern]) => pattern.test(command)) ??
    NOT_RUN_IN_FILE.find(([readme, pattern]) => readme === file && pattern.test(command));
  const longRunning = (command: string) => / serve\b|autobot-dev-model --port/.test(command);

  it('every command is run here or has a reason not to be', () => {
    const unclassified = commands.filter(
      ({ block, command }) =>
        !skipped(command, block.file) &&
        !/autobot-(trace|pki|dev-model)|^curl |dist\/cli(\/main)?\.js|^npm run typecheck -w @autobot\/e2e$/.test(
          command,
        ),
    );
    expect(unclassified.map(({ block, command }) => `${block.file}:${block.line}: ${command}`)).toEqual([]);
  });

  // Runs after the library example above, so `<traceId>` is a real trace.
  for (const { block, command } of commands.filter(({ block, command }) => !skipped(command, block.file))) {
    it(`${block.file}:${block.line}: ${command}`, async () => {
      if (command.includes('<traceId>')) {
        expect(traceId, 'the library example runs first and provides <traceId>').not.toBe('');
      }
      const devHost = new URL(devModel.url).host;
      let line = command.replaceAll('<traceId>', traceId).replaceAll('localhost:11434', devHost);
      if (longRunning(line)) {
        line = line.replace('--port 11434', '--port 0');
        if (/ serve\b/.test(line)) line += ' --grpc-port 0 --http-port 0 --query-port 0 --db :memory:';
        // Its own process group, stopped as a whole: npx does not always pass SIGTERM on.
        const proc = start('bash', ['-c', `exec ${line}`], { cwd: ROOT, env: baseEnv(), group: true });
        try {
          await proc.waitFor(/"event":"listening"/);
        } finally {
          // npx and the program both get SIGTERM; npx ends by it, the programs exit 0.
          expect([0, 'SIGTERM']).toContain(await proc.stop());
        }
        return;
      }
      const { stdout, stderr } = await execFileAsync('bash', ['-c', line], {
        cwd: ROOT,
        env: baseEnv(),
        timeout: 30_000,
      }).catch((error: { code: number; stdout: string; stderr: string }) => {
        throw new Error(`exit ${error.code}\n${error.stdout}\n${error.stderr}`);
      });
      if (/autobot-trace show/.test(line)) expect(stdout).toContain('HTTP POST /api/chat');
      if (/autobot-trace services/.test(line)) expect(stdout).toContain('autobot-backend');
      if (/autobot-pki distribute --dry-run/.test(line))
        expect(stdout).toMatch(/dry run: 5 planned, 0 failed/);
      if (/^curl/.test(line)) expect(stdout.length).toBeGreaterThan(0);
      void stderr;
    });
  }
});
