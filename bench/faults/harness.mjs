// Shared pieces of the fault runs: Redis + an untraced downstream B, a traced service A
// (bench/apps/app.cjs with @autobot/tracing) pointed at any endpoint, a blackhole TCP server,
// and a measured 10,000-request load.
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { runLoad } from '../lib/load-client.mjs';
import { rssOf, sampleRss, startNode, startRedis, stopProcess, waitForLine } from '../lib/procs.mjs';

const APP = fileURLToPath(new URL('../apps/app.cjs', import.meta.url));

/** Spans service A makes per /api/work request: server, redis.get, HTTP GET (client). */
export const SPANS_PER_REQUEST = 3;

/** Redis and an untraced B for A to call. */
export async function startBackends() {
  const redis = await startRedis();
  const b = startNode(APP, { env: { TRACE: 'none', ROLE: 'b' } });
  const { url } = await waitForLine(b, (l) => l.event === 'listening');
  return {
    redis,
    bUrl: url,
    async stop() {
      await stopProcess(b);
      await stopProcess(redis.proc);
    },
  };
}

/**
 * Traced service A exporting to `endpoint` (OTLP/HTTP when it ends in /v1/traces, else gRPC).
 * Export timeout 2 s (default 10 s) so fault runs settle quickly; everything else default:
 * queue 2048 spans, batches of 512, 1 s schedule, 5 s shutdown bound.
 */
export async function startServiceA(backends, endpoint, { service = 'faults-a', env = {} } = {}) {
  const a = startNode(APP, {
    env: {
      TRACE: 'ours',
      ROLE: 'a',
      COUNT_RESPONSES: '1',
      SERVICE_NAME: service,
      REDIS_URL: backends.redis.url,
      DOWNSTREAM_URL: backends.bUrl,
      AUTOBOT_JAEGER_ENDPOINT: endpoint,
      AUTOBOT_ENV: 'production',
      AUTOBOT_TRACE_EXPORT_TIMEOUT_MS: '2000',
      AUTOBOT_TRACE_REPORT_INTERVAL_MS: '1000',
      ...env,
    },
  });
  const { url } = await waitForLine(a, (l) => l.event === 'listening');
  return {
    proc: a,
    url,
    async stats() {
      return (await (await fetch(`${url}/metrics`)).json()).stats;
    },
    /** SIGTERM; resolves with the app's `stopped` line and how long the exit took. */
    async stop() {
      const started = Date.now();
      a.child.kill('SIGTERM');
      const stopped = await waitForLine(a, (l) => l.event === 'stopped', 30_000).catch(() => null);
      await stopProcess(a, 'SIGKILL', 30_000);
      return { stopped, exitMs: Date.now() - started };
    },
  };
}

/** A TCP server that accepts connections and never answers (a blackholed collector). */
export async function startBlackhole() {
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    connections: () => sockets.size,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Warm A up (500 requests), then 10,000 requests with 20 connections from another process,
 * sampling A's RSS. Returns the load result plus `rssPeak`, `rssBefore`.
 */
export async function measuredLoad(a, { amount = 10_000 } = {}) {
  await runLoad(`${a.url}/api/work/42`, { amount: 500 });
  const rssBefore = rssOf(a.proc.child.pid);
  const rss = sampleRss([a.proc.child.pid], 100);
  const result = await runLoad(`${a.url}/api/work/42`, { amount });
  const rssPeak = rss.stop().get(a.proc.child.pid);
  return { ...result, rssBefore, rssPeak, requests: amount + 500 };
}
