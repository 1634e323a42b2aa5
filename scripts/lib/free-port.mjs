// Picking a free TCP port: the one implementation, shared by the launcher scripts (which run
// before the build) and @autobot/test-kit (which imports this file through free-port.d.mts).
//
// The port is probed (bound, then released) and handed to another process, which binds it a
// moment later. A port the kernel chose with listen(0) comes from the ephemeral range, the same
// range every outgoing TCP connection on the machine takes its local port from, so in a busy test
// run another process's connection could take it in that moment (CI saw the collector fail with
// EADDRINUSE this way). Ports are therefore drawn at random from below the ephemeral range, where
// the kernel never hands ports out by itself.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 20_000; // above the well-known and most registered service ports
const TRIES = 200;
/** Ports this process already handed out: two callers never get the same one. */
const handedOut = new Set();

/** The lowest of the kernel's ephemeral ports: Linux's setting, else the IANA range's (macOS). */
function ephemeralLow() {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (low > 0) return low;
  } catch {
    // not Linux
  }
  return 49_152;
}

/** Resolves with null when `port` can be bound on `host`, or with the error code (EADDRINUSE, EACCES…). */
export function probePort(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error) => resolve(error.code ?? String(error)));
    server.listen(port, host, () => server.close(() => resolve(null)));
  });
}

/** A port the kernel picks (listen(0)): the fallback when no range outside the ephemeral one is left. */
function kernelPort(host) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A TCP port that is free on `host` (default 127.0.0.1) and outside the kernel's ephemeral range,
 * so that nothing else on the machine takes it by accident before the caller binds it.
 */
export async function freePort(host = '127.0.0.1') {
  const high = ephemeralLow() - 1;
  if (high - LOWEST >= 1_000) {
    for (let i = 0; i < TRIES; i++) {
      const port = LOWEST + Math.floor(Math.random() * (high - LOWEST + 1));
      if (handedOut.has(port) || (await probePort(port, host)) !== null) continue;
      handedOut.add(port);
      return port;
    }
  }
  const port = await kernelPort(host);
  handedOut.add(port);
  return port;
}
