import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The `ready` event of `scripts/start.mjs --json`. */
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

export interface RunningStack {
  state: StackState;
  env: Record<string, string>;
  events: Record<string, unknown>[];
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM the launcher and wait for it (it stops every child). */
  stop(): Promise<number | null>;
}

/**
 * `scripts/start.mjs --json --no-build` (the tests run after `npm run build`) on free ports with
 * an in-memory trace store and a private state file; resolves at the `ready` event.
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
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
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

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
  processID: string;
  duration: number;
}
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** The trace from the collector, or undefined when it has no spans. */
export async function getTrace(viewerUrl: string, traceId: string): Promise<JaegerTrace | undefined> {
  const response = await fetch(`${viewerUrl}/api/traces/${traceId}`);
  if (!response.ok) return undefined;
  return ((await response.json()) as { data: JaegerTrace[] }).data[0];
}

/** Poll until `done(trace)` holds; returns the last trace seen either way. */
export async function waitForTrace(
  viewerUrl: string,
  traceId: string,
  done: (trace: JaegerTrace) => boolean,
  timeoutMs = 15_000,
): Promise<JaegerTrace | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: JaegerTrace | undefined;
  while (Date.now() < deadline) {
    last = await getTrace(viewerUrl, traceId);
    if (last && done(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  return last;
}

export const services = (trace: JaegerTrace) =>
  new Set(Object.values(trace.processes).map((p) => p.serviceName));
export const serviceOf = (trace: JaegerTrace, span: JaegerSpan) =>
  trace.processes[span.processID]?.serviceName;
export const parentOf = (span: JaegerSpan) => span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
export const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;

/** POST /api/chat and read the whole NDJSON answer. */
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
  const lines = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: response.status, traceId, lines, body: undefined };
}
