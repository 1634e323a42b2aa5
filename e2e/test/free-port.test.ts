import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from '@autobot/test-kit';
import { describe, expect, it } from 'vitest';

const ephemeralLow = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
);

function bind(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

// The launcher and the tests hand these ports to a process that binds them a moment later; a
// port from the ephemeral range could meanwhile become some outgoing connection's local port.
describe('freePort', () => {
  it('hands out distinct, bindable ports below the kernel ephemeral range', async () => {
    const ports = [];
    for (let i = 0; i < 40; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(ephemeralLow);
    }
    await Promise.all(ports.map(bind));
  });
});
