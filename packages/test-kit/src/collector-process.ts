import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onLines } from './lines.js';

/**
 * The collector CLI entry point (`autobot-trace`): `AUTOBOT_TEST_COLLECTOR_CLI` when set (e.g. to
 * test another build), else `cli/main.js` beside the installed `@autobot/collector`'s entry point.
 */
export function collectorCliPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AUTOBOT_TEST_COLLECTOR_CLI) return env.AUTOBOT_TEST_COLLECTOR_CLI;
  return join(dirname(createRequire(import.meta.url).resolve('@autobot/collector')), 'cli', 'main.js');
}

/** A collector started by {@link startCollectorProcess}. */
export interface CollectorProcess {
  httpPort: number;
  queryPort: number;
  /** Base URL of the UI / query API. */
  baseUrl: string;
  /** SIGTERM (SIGKILL after 5 s), then remove its temporary database directory. */
  stop(): Promise<void>;
}

/**
 * Runs the real collector (`autobot-trace serve`) as a child process on ephemeral ports with a
 * temporary database, and resolves once it printed its `listening` line (20 s at most). `uiDir`
 * (passed as `--ui-dir`) names the UI build to serve, so the build under test is what a browser
 * loads; it must hold an `index.html`.
 */
export async function startCollectorProcess(options: { uiDir?: string } = {}): Promise<CollectorProcess> {
  const cli = collectorCliPath();
  if (!existsSync(cli)) {
    throw new Error(`collector CLI not built: ${cli} is missing (run \`npm run build\` at the root)`);
  }
  const { uiDir } = options;
  if (uiDir !== undefined && !existsSync(join(uiDir, 'index.html'))) {
    throw new Error(
      `UI not built: ${uiDir}/index.html is missing (run \`npm run build -w @autobot/viewer\`)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'autobot-collector-test-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      cli,
      'serve',
      '--grpc-port',
      '0',
      '--http-port',
      '0',
      '--query-port',
      '0',
      '--db',
      join(dir, 't.db'),
      ...(uiDir === undefined ? [] : ['--ui-dir', uiDir]),
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
      onLines(child.stdout as NodeJS.ReadableStream, (line) => {
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
