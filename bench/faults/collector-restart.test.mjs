// The collector restarts in the middle of a 10,000-request load (same ports, same database):
// spans resume arriving after the restart, and every span the collector lacks is one the service
// reported as failed or dropped (reported ones may still have arrived: at most the batch in flight
// at the kill).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runLoad } from '../lib/load-client.mjs';
import { freePort, settle, sleep, startCollectorProcess, stopAll, stopProcess } from '../lib/procs.mjs';
import { spanCountsByService } from '../lib/span-counts.mjs';
import { SPANS_PER_REQUEST, startBackends, startServiceA } from './harness.mjs';
import { record } from './record.mjs';

let backends;
let dir;
beforeAll(async () => {
  backends = await startBackends();
  dir = mkdtempSync(join(tmpdir(), 'autobot-faults-'));
});
afterAll(async () => {
  await backends?.stop();
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(['http/protobuf', 'grpc'])('OTLP %s', (protocol) => {
  test('collector restart mid-load: spans resume; every lost span was reported (failed or dropped)', async () => {
    const db = join(dir, `${protocol.replace('/', '-')}.db`);
    const ports = { grpcPort: await freePort(), httpPort: await freePort(), queryPort: await freePort() };
    let collector = await startCollectorProcess({ ...ports, db, nice: 10 });
    const endpoint = protocol === 'grpc' ? collector.grpcUrl : collector.httpUrl;
    const service = `restart-${protocol}`;
    const a = await startServiceA(backends, endpoint, { service });
    try {
      await runLoad(`${a.url}/api/work/42`, { amount: 500 });
      const load = runLoad(`${a.url}/api/work/42`, { amount: 10_000 });
      await sleep(1500);
      await stopProcess(collector.proc, 'SIGKILL');
      const storedAtKill = spanCountsByService(db)[service] ?? 0;
      const downMs = 1500;
      await sleep(downMs);
      collector = await startCollectorProcess({ ...ports, db, nice: 10 });
      const result = await load;
      const stats = await settle(async () => JSON.stringify(await a.stats()), 2500, 30_000).then(JSON.parse);
      await settle(async () => (await collector.status()).ingest.storedSpans, 1500);
      const stored = spanCountsByService(db)[service] ?? 0;
      const ended = (500 + 10_000) * SPANS_PER_REQUEST;
      const lost = ended - stored;
      record(`restart.${protocol}`, {
        requests: 10_500,
        spansEnded: ended,
        storedAtKill,
        stored,
        lost,
        reported: {
          failed: stats.failed,
          dropped: stats.dropped,
          queued: stats.queued,
          exported: stats.exported,
        },
        collectorDownMs: downMs,
        load: { reqPerSec: result.reqPerSec, p99: result.p99, errors: result.errors, non2xx: result.non2xx },
      });
      expect(result.errors + result.non2xx + result.timeouts).toBe(0);
      expect(stored).toBeGreaterThan(storedAtKill); // spans arrive again after the restart
      expect(stats.queued).toBe(0);
      // Every lost span was reported. The other way round, a batch in flight when the collector was
      // killed may have been stored before the answer was lost: reported as failed, yet arrived.
      // The BatchSpanProcessor exports one batch (≤ 512 spans) at a time, so that is the most.
      const reported = stats.failed + stats.dropped;
      expect(lost).toBeLessThanOrEqual(reported);
      expect(reported - lost).toBeLessThanOrEqual(512);
    } finally {
      await a.stop();
      await stopProcess(collector.proc);
    }
  });
});
