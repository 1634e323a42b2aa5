// Small process and health helpers of the launcher (scripts/start.mjs).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The last `lines` lines of the file at `path`, or '' when it cannot be read. */
export function tail(path, lines = 15) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Polls `url` until it answers 2xx; past `deadline` (epoch ms), throws with the last answer seen. */
export async function waitHealthy(name, url, deadline) {
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `HTTP ${response.status} ${await response.text()}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${name} did not become healthy at ${url} (${last})`);
}

/** Whether a process with this pid exists (signal 0 only checks). */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether `redis-server` is on PATH. */
export function hasRedisServer() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
