import { createServer } from 'node:net';

/**
 * A free TCP port on 127.0.0.1: bound to port 0, then released. Another process may take it
 * before the caller binds it, so callers that cannot retry should prefer port 0 directly.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('freePort: the server has no address');
  return address.port;
}
