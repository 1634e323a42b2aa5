/**
 * Runs the real collector (`autobot-trace serve`) as a child process on free ports with a
 * temporary database, serving this package's `dist` as its UI.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The built viewer the collector serves. */
export const VIEWER_DIST = resolve(here, '../dist');
/** The collector CLI entry point (`VIEWER_TEST_COLLECTOR_CLI` overrides it, e.g. for a local build). */
export const COLLECTOR_CLI =
  process.env.VIEWER_TEST_COLLECTOR_CLI ?? resolve(here, '../../collector/dist/cli/main.js');

/** A running collector. */
export interface CollectorProcess {
  httpPort: number;
  queryPort: number;
  /** Base URL of the UI / query API. */
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the collector and resolves once it printed its `listening` line. `--ui-dir` names
 * this package's `dist` explicitly, so the build under test is what the browser loads.
 */
export async function startCollectorProcess(): Promise<CollectorProcess> {
  if (!existsSync(COLLECTOR_CLI)) {
    throw new Error(
      `collector CLI not built: ${COLLECTOR_CLI} is missing (run \`npm run build\` at the root)`,
    );
  }
  if (!existsSync(join(VIEWER_DIST, 'index.html'))) {
    throw new Error(
      `viewer not built: ${VIEWER_DIST}/index.html is missing (run \`npm run build -w @autobot/viewer\`)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'autobot-viewer-test-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      COLLECTOR_CLI,
      'serve',
      '--grpc-port',
      '0',
      '--http-port',
      '0',
      '--query-port',
      '0',
      '--db',
      join(dir, 't.db'),
      '--ui-dir',
      VIEWER_DIST,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports = await new Promise<{ httpPort: number; queryPort: number }>((resolvePorts, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`collector did not start in 20s; stderr: ${stderr}`)),
        20_000,
      );
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`collector exited with ${code}; stderr: ${stderr}`));
      });
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        try {
          const msg = JSON.parse(line) as { event?: string; httpPort?: number; queryPort?: number };
          if (msg.event === 'listening' && msg.httpPort && msg.queryPort) {
            clearTimeout(timer);
            resolvePorts({ httpPort: msg.httpPort, queryPort: msg.queryPort });
          }
        } catch {
          // other output is not ours to parse
        }
      });
    });
    return { ...ports, baseUrl: `http://127.0.0.1:${ports.queryPort}`, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** POSTs one OTLP/JSON export request to the collector's HTTP receiver. */
export async function postOtlp(httpPort: number, body: unknown): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`OTLP export failed: HTTP ${res.status} ${text}`);
  const parsed = text ? (JSON.parse(text) as { partialSuccess?: { rejectedSpans?: string | number } }) : {};
  if (Number(parsed.partialSuccess?.rejectedSpans ?? 0) > 0)
    throw new Error(`OTLP export partially rejected: ${text}`);
}

/** Waits until `/api/traces/{id}` returns `spanCount` spans (the store may commit asynchronously). */
export async function waitForTrace(
  baseUrl: string,
  traceId: string,
  spanCount: number,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(`${baseUrl}/api/traces/${traceId}`);
    if (res.ok) {
      const body = (await res.json()) as { data?: { spans: unknown[] }[] };
      const n = body.data?.[0]?.spans.length ?? 0;
      if (n >= spanCount) return;
      last = `${n} spans`;
    } else last = `HTTP ${res.status}`;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`trace ${traceId} did not reach ${spanCount} spans in ${timeoutMs}ms (last: ${last})`);
}
