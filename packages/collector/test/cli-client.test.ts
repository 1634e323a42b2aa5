import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runQuery, runServices, runShow } from '../src/cli/client-commands.js';
import { CollectorUnreachableError } from '../src/index.js';

/** A loopback port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const silent = { out: () => {}, err: () => {} };

describe('autobot-trace client commands', () => {
  it('no collector at the URL: every command rejects with AUTOBOT_ERR_COLLECTOR_UNREACHABLE naming the origin only', async () => {
    const client = { url: `http://127.0.0.1:${await closedPort()}`, token: 'secret-read-token' };
    for (const run of [
      () => runQuery(client, 'service = backend', { json: false }, silent),
      () => runShow(client, '0af7651916cd43dd8448eb211c80319c', { json: false }, silent),
      () => runServices(client, { json: false }, silent),
    ]) {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CollectorUnreachableError);
      expect(error).toMatchObject({ code: 'AUTOBOT_ERR_COLLECTOR_UNREACHABLE', statusCode: 502 });
      expect((error as Error).message).toContain(client.url);
      expect((error as Error).message).not.toContain('secret-read-token');
      expect((error as Error).message).not.toContain('/api/');
      expect((error as Error).cause).toBeDefined();
    }
  });

  it('the search worker entry refuses to run outside a worker thread, with the internal code', () => {
    const worker = fileURLToPath(new URL('../dist/store/search-worker.js', import.meta.url));
    const result = spawnSync(process.execPath, [worker], { encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('AUTOBOT_ERR_COLLECTOR_INTERNAL');
  });
});
