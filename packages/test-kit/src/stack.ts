import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onLines, parseNdjson } from './lines.js';

/** The repository root (this file is `packages/test-kit/{src,dist}/stack.*`). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The `ready` event of `scripts/start.mjs --json`: URLs and pids of every started process. */
export interface StackState {
  pid: number;
  urls: Record<
    | 'frontend'
    | 'viewer'
    | 'backend'
    | 'aiStack'
    | 'npuWorker'
    | 'browser'
    | 'devModel'
    | 'otlpGrpc'
    | 'otlpHttp',
    string
  >;
  pids: Record<string, number>;
  redis: string;
  browserEngine: string;
}

/** A stack started by {@link startStack}. */
export interface RunningStack {
  state: StackState;
  /** The variables the launcher got on top of this process's (cleaned) environment. */
  env: Record<string, string>;
  /** Every JSON event the launcher printed so far. */
  events: Record<string, unknown>[];
  child: ChildProcess;
  /** Everything the launcher wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM the launcher and wait for it (it stops every child). */
  stop(): Promise<number | null>;
}

/**
 * `scripts/start.mjs --json --no-build` (the tests run after `npm run build`) on free ports with
 * an in-memory trace store and a private state file; resolves at the `ready` event. `extraEnv`
 * overrides those defaults; the caller's Redis and LLM settings are removed so the launcher
 * starts its own. Rejects (after stopping the launcher) on an `error` event, an early exit, or
 * `timeoutMs`.
 */
export async function startStack(
  extraEnv: Record<string, string> = {},
  timeoutMs = 90_000,
): Promise<RunningStack> {
  const dir = mkdtempSync(join(tmpdir(), 'autobot-stack-'));
  const env: Record<string, string> = {
    AUTOBOT_STACK_FILE: join(dir, 'stack.json'),
    AUTOBOT_TRACE_DB: ':memory:',
    AUTOBOT_COLLECTOR_GRPC_PORT: '0',
    AUTOBOT_COLLECTOR_HTTP_PORT: '0',
    AUTOBOT_COLLECTOR_QUERY_PORT: '0',
    AUTOBOT_DEV_MODEL_PORT: '0',
    AUTOBOT_AI_STACK_PORT: '0',
    AUTOBOT_NPU_WORKER_PORT: '0',
    AUTOBOT_BROWSER_PORT: '0',
    AUTOBOT_BACKEND_PORT: '0',
    AUTOBOT_FRONTEND_PORT: '0',
    ...extraEnv,
  };
  const clean = { ...process.env };
  for (const key of ['AUTOBOT_REDIS_URL', 'AUTOBOT_OLLAMA_URL', 'OLLAMA_HOST', 'AUTOBOT_LLM_PROVIDER'])
    delete clean[key];
  const child = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs'), '--json', '--no-build'], {
    cwd: ROOT,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const code = await exited;
    rmSync(dir, { recursive: true, force: true });
    return code;
  };
  const state = await new Promise<StackState>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`stack not ready in ${timeoutMs} ms:\n${stderr}`)),
      timeoutMs,
    );
    onLines(child.stdout as NodeJS.ReadableStream, (line) => {
      try {
        const event = JSON.parse(line) as Record<string, unknown>;
        events.push(event);
        if (event.event === 'ready') {
          clearTimeout(timer);
          resolve(event as unknown as StackState);
        }
        if (event.event === 'error') {
          clearTimeout(timer);
          reject(new Error(`launcher error: ${event.message}`));
        }
      } catch {
        // not JSON
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`launcher exited (${code}) before ready:\n${stderr}`));
    });
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  return { state, env, events, child, stderr: () => stderr, stop };
}

/**
 * POSTs `message` to the backend's `/api/chat` and reads the whole NDJSON answer. `traceId` comes
 * from the `traceresponse` header; on an error status `body` holds the parsed JSON error instead.
 */
export async function chat(
  backendUrl: string,
  message: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; traceId: string | undefined; lines: Record<string, unknown>[]; body: unknown }> {
  const response = await fetch(`${backendUrl}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ message }),
  });
  const traceId = response.headers.get('traceresponse')?.split('-')[1];
  const text = await response.text();
  if (!response.ok) return { status: response.status, traceId, lines: [], body: JSON.parse(text) };
  const lines = parseNdjson(text);
  return { status: response.status, traceId, lines, body: undefined };
}
