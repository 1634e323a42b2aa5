// Run the load generator (lib/load.mjs) in a separate process and return its JSON result.
import { fileURLToPath } from 'node:url';
import { startNode, waitForLine } from './procs.mjs';

const LOAD = fileURLToPath(new URL('./load.mjs', import.meta.url));

/**
 * Drive `url` with autocannon from another process and resolve with its result line.
 * `options`: connections (default 20), duration (s) or amount (requests), nice (priority of the
 * generator process, default 0).
 */
export async function runLoad(url, { connections = 20, duration, amount, nice = 0 } = {}) {
  const proc = startNode(LOAD, { nice, args: [JSON.stringify({ url, connections, duration, amount })] });
  const timeoutMs = duration ? duration * 1000 + 30_000 : 300_000;
  const result = await waitForLine(proc, (line) => line.event === 'result', timeoutMs);
  await proc.exited;
  return result;
}
