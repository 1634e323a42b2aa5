import { type ChildProcess, spawn } from 'node:child_process';
import { onLines, parseLine } from './lines.js';

/** A child `node` process whose stdout lines are collected. */
export interface RunningChild {
  child: ChildProcess;
  /** Every stdout line so far, parsed as JSON where possible. */
  lines: unknown[];
  /**
   * Resolves with the first stdout JSON line matching `predicate`; rejects after `timeoutMs`
   * (default 15,000) or when the process exits without printing it. Both errors carry stderr.
   */
  waitFor(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Sends `signal` (default SIGTERM) unless it already exited; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Everything written to stderr so far. */
  stderr(): string;
}

/** Spawns `node [nodeArgs] script` with `env` added to this process's environment. */
export function startNode(
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): RunningChild {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: unknown[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  if (child.stdout) {
    onLines(child.stdout, (text) => {
      lines.push(parseLine(text));
      for (const wake of waiters) wake();
    });
  }
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    child,
    lines,
    waitFor(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(
            (l) => typeof l === 'object' && l !== null && predicate(l as Record<string, unknown>),
          );
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found as Record<string, unknown>);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${script}: expected line not seen within ${timeoutMs} ms; stderr:\n${stderr}`));
        }, timeoutMs);
        waiters.add(check);
        check();
        void exited.then(() => {
          if (waiters.has(check)) {
            check();
            if (waiters.has(check)) {
              waiters.delete(check);
              clearTimeout(timer);
              reject(new Error(`${script} exited before the expected line; stderr:\n${stderr}`));
            }
          }
        });
      });
    },
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
