// The load generator, run as its own process so it never shares an event loop with the app:
//   node lib/load.mjs '{"url":"…","connections":20,"duration":6}'   (or "amount": 10000)
// Prints one JSON line: requests/s (2xx only), latency p50/p90/p99/max (ms), errors, non-2xx.
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);
const result = await autocannon({
  url: options.url,
  connections: options.connections ?? 20,
  pipelining: 1,
  // autocannon rejects an explicit `duration: undefined`: pass exactly one of the two.
  ...(options.amount ? { amount: options.amount } : { duration: options.duration }),
  timeout: options.timeoutS ?? 10,
});
const ok = result['2xx'];
const seconds = result.duration;
process.stdout.write(
  `${JSON.stringify({
    event: 'result',
    ok,
    reqPerSec: ok / seconds,
    seconds,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    mean: result.latency.average,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  })}\n`,
);
