import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '@autobot/collector';
import { afterAll, describe, expect, it } from 'vitest';
import { type FlatSpan, fetchTrace } from './helpers/processes.js';
import { ROOT } from './helpers/repo.js';

// `npm start` must stop in order — services flush, then the collector drains and closes — however
// the signal arrives. Each case starts the real stack with a file database, finishes one chat,
// signals right away, then reopens the database and checks that every span of the chat is there.

const PORT_VARIABLES = [
  'AUTOBOT_COLLECTOR_GRPC_PORT',
  'AUTOBOT_COLLECTOR_HTTP_PORT',
  'AUTOBOT_COLLECTOR_QUERY_PORT',
  'AUTOBOT_DEV_MODEL_PORT',
  'AUTOBOT_AI_STACK_PORT',
  'AUTOBOT_NPU_WORKER_PORT',
  'AUTOBOT_BROWSER_PORT',
  'AUTOBOT_BACKEND_PORT',
  'AUTOBOT_FRONTEND_PORT',
];
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Stack {
  dir: string;
  db: string;
  out: string;
}

function newStack(): { stack: Stack; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'autobot-start-'));
  dirs.push(dir);
  const stack = { dir, db: join(dir, 'traces.db'), out: join(dir, 'start.out') };
  const env: Record<string, string> = {
    AUTOBOT_STACK_FILE: join(dir, 'stack.json'),
    AUTOBOT_TRACE_DB: stack.db,
    AUTOBOT_TRACE_SCHEDULE_DELAY_MS: '1000', // the default: spans of the chat are still queued at the signal
  };
  for (const variable of PORT_VARIABLES) env[variable] = '0';
  return { stack, env };
}

function events(stack: Stack): { event: string; [key: string]: unknown }[] {
  if (!existsSync(stack.out)) return [];
  return readFileSync(stack.out, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

async function waitForEvent(stack: Stack, name: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = events(stack).find((e) => e.event === name || e.event === 'error');
    if (found?.event === 'error') throw new Error(`npm start failed: ${JSON.stringify(found)}`);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `no "${name}" event within ${timeoutMs} ms:\n${existsSync(stack.out) ? readFileSync(stack.out, 'utf8') : ''}`,
  );
}

/** The launcher's `ready` event: URLs and pids of every process it started. */
async function waitForReady(stack: Stack) {
  return (await waitForEvent(stack, 'ready', 120_000)) as unknown as {
    urls: { backend: string };
    pids: Record<string, number>;
  };
}

/** `scripts/start.mjs --json` in a process group of its own (as a shell job), events to `stack.out`. */
function spawnLauncher(stack: Stack, env: Record<string, string>) {
  return spawn(process.execPath, ['scripts/start.mjs', '--json', '--no-build'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', openSync(stack.out, 'w'), 'ignore'],
    detached: true,
  });
}

/** One complete chat; returns its trace id once the whole answer has been read. */
async function chat(backend: string): Promise<string> {
  const response = await fetch(`${backend}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'What is distributed tracing?' }),
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(text).toContain('"type":"done"');
  return response.headers.get('traceresponse')?.split('-')[1] ?? '';
}

async function storedTrace(db: string, traceId: string): Promise<FlatSpan[]> {
  const collector = await startCollector({ grpcPort: 0, httpPort: 0, queryPort: 0, dbPath: db, uiDir: null });
  try {
    return await fetchTrace(`http://127.0.0.1:${collector.queryPort}`, traceId);
  } finally {
    await collector.close();
  }
}

function expectComplete(spans: FlatSpan[]) {
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentId);
  expect(roots.map((s) => `${s.service} ${s.name}`)).toEqual(['autobot-backend HTTP POST /api/chat']);
  expect(spans.filter((s) => s.parentId && !ids.has(s.parentId)).map((s) => s.name)).toEqual([]);
  expect(new Set(spans.map((s) => s.service))).toEqual(
    new Set(['autobot-backend', 'autobot-npu-worker', 'autobot-ai-stack']),
  );
  expect(spans.map((s) => s.name)).toContain('llm.inference');
  expect(spans.map((s) => s.name)).toContain('HTTP POST /api/embed');
}

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start stops in order', { timeout: 240_000 }, () => {
  it('Ctrl-C in a terminal (tmux): every span of the last chat is stored', async () => {
    const { stack, env } = newStack();
    const socket = `autobot-e2e-${process.pid}`;
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const assignments = Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    try {
      tmux(
        'new-session',
        '-d',
        '-x',
        '200',
        '-y',
        '50',
        `cd ${ROOT} && env ${assignments} npm start -- --json --no-build > ${stack.out} 2> ${stack.dir}/start.err; sleep 30`,
      );
      const ready = await waitForReady(stack);
      const traceId = await chat(ready.urls.backend);
      tmux('send-keys', '-t', '0', 'C-c');
      await waitForEvent(stack, 'stopped', 60_000);
      for (const [name, pid] of Object.entries(ready.pids))
        expect(alive(pid), `${name} still running`).toBe(false);
      expectComplete(await storedTrace(stack.db, traceId));
    } finally {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    }
  });

  it("SIGTERM to the launcher's process group: every span of the last chat is stored", async () => {
    const { stack, env } = newStack();
    const launcher = spawnLauncher(stack, env);
    const exited = new Promise((resolve) => launcher.once('exit', (code) => resolve(code)));
    const ready = await waitForReady(stack);
    const traceId = await chat(ready.urls.backend);
    process.kill(-(launcher.pid as number), 'SIGTERM');
    expect(await exited).toBe(0);
    for (const [name, pid] of Object.entries(ready.pids))
      expect(alive(pid), `${name} still running`).toBe(false);
    expectComplete(await storedTrace(stack.db, traceId));
  });

  it('a launcher killed with SIGKILL leaves no process behind, and the chat is still stored', async () => {
    const { stack, env } = newStack();
    const launcher = spawnLauncher(stack, env);
    const ready = await waitForReady(stack);
    const traceId = await chat(ready.urls.backend);
    process.kill(launcher.pid as number, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    const running = () => Object.entries(ready.pids).filter(([, pid]) => alive(pid));
    while (running().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(running().map(([name]) => name)).toEqual([]);
    expectComplete(await storedTrace(stack.db, traceId));
  });
});
