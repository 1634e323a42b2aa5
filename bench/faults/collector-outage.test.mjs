// Collector down (port closed) and blackholed (accepts TCP, never answers) during a
// 10,000-request load, against a healthy run of the same service: no failed request, p99 within
// 1.2× of healthy, RSS bounded, drops and failures counted and reported by the service.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort, settle, startCollectorProcess, stopAll, stopProcess } from '../lib/procs.mjs';
import { measuredLoad, SPANS_PER_REQUEST, startBackends, startBlackhole, startServiceA } from './harness.mjs';
import { record } from './record.mjs';

/** Extra RSS allowed over the healthy run's peak: queue of 2048 spans (~2 KB each ≈ 4 MB), one
 * batch in flight, exporter buffers and GC slack. */
const RSS_BOUND_BYTES = 48 * 2 ** 20;
/** autocannon's histogram has 1 ms resolution: allow one step on top of 1.2×. */
const P99_SLACK_MS = 1;

let backends;
let collector;
beforeAll(async () => {
  backends = await startBackends();
  collector = await startCollectorProcess({ nice: 10 });
});
afterAll(async () => {
  await backends?.stop();
  if (collector) await stopProcess(collector.proc);
  await stopAll();
});

describe.each([
  ['http/protobuf', (c) => c.httpUrl, (port) => `http://127.0.0.1:${port}/v1/traces`],
  ['grpc', (c) => c.grpcUrl, (port) => `http://127.0.0.1:${port}`],
])('OTLP %s', (protocol, healthyEndpoint, endpointAt) => {
  const runs = {};

  async function run(name, endpoint) {
    const a = await startServiceA(backends, endpoint, { service: `outage-${protocol}-${name}` });
    try {
      const load = await measuredLoad(a);
      // Let in-flight exports finish or time out (export timeout 2 s), then read the counts.
      const stats = await settle(async () => JSON.stringify(await a.stats()), 2500, 20_000).then(JSON.parse);
      const { stopped, exitMs } = await a.stop();
      runs[name] = { ...load, stats, exitMs, stderr: a.proc.stderr, final: stopped?.stats };
      return runs[name];
    } finally {
      await stopProcess(a.proc, 'SIGKILL');
    }
  }

  test('healthy collector: baseline, every span exported', async () => {
    const healthy = await run('healthy', healthyEndpoint(collector));
    expect(healthy.errors + healthy.non2xx + healthy.timeouts).toBe(0);
    expect(healthy.stats.exported).toBe(healthy.requests * SPANS_PER_REQUEST);
    expect(healthy.stats.dropped + healthy.stats.failed).toBe(0);
  });

  test.each(['down', 'blackholed'])(
    'collector %s: no failed request, p99 and RSS bounded, drops reported',
    async (fault) => {
      const healthy = runs.healthy;
      expect(healthy, 'the healthy baseline ran').toBeDefined();
      let endpoint;
      let blackhole;
      if (fault === 'down') endpoint = endpointAt(await freePort());
      else {
        blackhole = await startBlackhole();
        endpoint = endpointAt(blackhole.port);
      }
      try {
        const faulty = await run(fault, endpoint);
        const ended = faulty.requests * SPANS_PER_REQUEST;
        const { exported, failed, dropped, queued } = faulty.stats;
        record(`outage.${protocol}.${fault}`, {
          healthy: pick(healthy),
          faulty: pick(faulty),
          p99Ratio: faulty.p99 / healthy.p99,
          rssGrowthBytes: faulty.rssPeak - healthy.rssPeak,
          rssBoundBytes: RSS_BOUND_BYTES,
          blackholeConnections: blackhole?.connections(),
        });
        expect(faulty.errors + faulty.non2xx + faulty.timeouts).toBe(0);
        expect(faulty.p99).toBeLessThanOrEqual(healthy.p99 * 1.2 + P99_SLACK_MS);
        expect(faulty.rssPeak).toBeLessThanOrEqual(healthy.rssPeak + RSS_BOUND_BYTES);
        // Nothing arrived, and every span is accounted for as failed, dropped or still queued.
        expect(exported).toBe(0);
        expect(failed + dropped + queued).toBe(ended);
        // Refused connections fail fast (all counted failed); a blackhole fills the queue (dropped).
        expect(failed + dropped).toBeGreaterThan(0);
        // ... and the service said so on stderr (the summary warning line).
        expect(faulty.stderr).toMatch(/span\(s\) failed to export .* were dropped/);
        // Shutdown with an unreachable collector still ends within the 5 s bound (+1 s for the process).
        expect(faulty.exitMs).toBeLessThan(6000);
      } finally {
        await blackhole?.close();
      }
    },
  );
});

/** The fields of a load run that the record keeps (what faults.json has always held). */
const RECORDED = [
  'reqPerSec',
  'p50',
  'p90',
  'p99',
  'max',
  'errors',
  'non2xx',
  'timeouts',
  'rssBefore',
  'rssPeak',
  'requests',
  'stats',
  'exitMs',
];

function pick(r) {
  return Object.fromEntries(RECORDED.map((key) => [key, r[key]]));
}
