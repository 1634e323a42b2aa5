import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

export interface RunningChild {
  child: ChildProcess;
  /** Every stdout line so far, parsed as JSON where possible. */
  lines: unknown[];
  /** Resolve with the first stdout JSON line matching `predicate`. */
  waitFor(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Everything written to stderr so far. */
  stderr(): string;
}

/** Spawn `node script` with `env` added; stdout lines are collected, stderr is kept for errors. */
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
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      try {
        lines.push(JSON.parse(text));
      } catch {
        lines.push(text);
      }
      for (const wake of waiters) wake();
      newline = buffer.indexOf('\n');
    }
  });
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
