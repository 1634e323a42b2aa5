import { type ChildProcess, spawn } from 'node:child_process';
import type { JaegerTrace } from '@autobot/collector';

export interface Started {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output: () => string;
  /** Resolves with the first output line matching `pattern` (rejects if the process exits first). */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  /** SIGTERM (then SIGKILL after 10 s); resolves with the exit code or signal. */
  stop: () => Promise<number | string | null>;
}

/**
 * Spawns a process and records its output. `group: true` starts it in a process group of its own
 * and stops the whole group: a wrapper such as `npx` does not always pass SIGTERM on to the
 * program it started, which then outlives the test.
 */
export function start(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; group?: boolean },
): Started {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.group ?? false,
  });
  const signal = (name: NodeJS.Signals) => {
    if (options.group && child.pid !== undefined) {
      try {
        process.kill(-child.pid, name);
        return;
      } catch {
        // the group is gone already: fall back to the process itself
      }
    }
    child.kill(name);
  };
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const l of listeners) l();
      resolve(code ?? signal);
    }),
  );
  return {
    child,
    output: () => text,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${text}`));
        }, timeoutMs);
        const check = () => {
          const line = text.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve(line);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            listeners.delete(check);
            reject(
              new Error(`exited (${child.exitCode ?? child.signalCode}) before ${pattern}; output:\n${text}`),
            );
          }
        };
        listeners.add(check);
        check();
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), 10_000);
        const result = await exited;
        clearTimeout(timer);
        return result;
      }
      return exited;
    },
  };
}

export interface FlatSpan {
  spanId: string;
  parentId: string | undefined;
  name: string;
  service: string;
  tags: Record<string, unknown>;
}

/** The spans of one trace from a collector's Jaeger API, flattened ([] when it is unknown). */
export async function fetchTrace(queryUrl: string, traceId: string): Promise<FlatSpan[]> {
  const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
  if (response.status === 404) return [];
  const body = (await response.json()) as { data: JaegerTrace[] };
  const trace = body.data[0];
  if (!trace) return [];
  return trace.spans.map((span) => ({
    spanId: span.spanID,
    parentId: span.references.find((r) => r.refType === 'CHILD_OF')?.spanID,
    name: span.operationName,
    service: trace.processes[span.processID]?.serviceName ?? '?',
    tags: Object.fromEntries(span.tags.map((t) => [t.key, t.value])),
  }));
}

/** Polls until `accept(spans)` holds (or the timeout passes) and returns the last spans seen. */
export async function waitForTrace(
  queryUrl: string,
  traceId: string,
  accept: (spans: FlatSpan[]) => boolean,
  timeoutMs = 15_000,
): Promise<FlatSpan[]> {
  const deadline = Date.now() + timeoutMs;
  let spans: FlatSpan[] = [];
  while (Date.now() < deadline) {
    spans = await fetchTrace(queryUrl, traceId);
    if (accept(spans)) return spans;
    await new Promise((r) => setTimeout(r, 200));
  }
  return spans;
}
