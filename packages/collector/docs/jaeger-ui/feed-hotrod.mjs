// Feeds a HotROD-like workload into the collector's OTLP/HTTP receiver, spread over the last minutes:
// frontend (SERVER /dispatch, CLIENT calls) → customer → mysql, driver → redis, route; ~12 % of the
// dispatches fail in driver, ~8 % of the redis calls fail.
// Usage: node feed-hotrod.mjs <otlp-http-port> [minutes=30] [traces-per-minute=10]
import { randomBytes } from 'node:crypto';

const port = Number(process.argv[2] ?? 4318);
const minutes = Number(process.argv[3] ?? 30);
const perMinute = Number(process.argv[4] ?? 10);
const hex = (n) => randomBytes(n).toString('hex');
const ns = (ms) => String(BigInt(Math.round(ms * 1000)) * 1000n);
const attr = (k, v) => ({
  key: k,
  value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: String(v) },
});

function span(svc, traceId, parentSpanId, name, kind, startMs, durMs, attributes = [], error = false) {
  return {
    svc,
    s: {
      traceId,
      spanId: hex(8),
      parentSpanId,
      name,
      kind,
      startTimeUnixNano: ns(startMs),
      endTimeUnixNano: ns(startMs + durMs),
      attributes,
      status: error ? { code: 2, message: 'boom' } : { code: 0 },
    },
  };
}

/** `baseMs` plus up to `spreadMs`, at random. */
const jitterMs = (baseMs, spreadMs) => baseMs + Math.random() * spreadMs;

// The calls of a dispatch: caller and callee services, span names, attributes of both sides.
const CUSTOMER = {
  from: 'frontend',
  to: 'customer',
  name: 'HTTP GET /customer',
  attributes: [attr('http.method', 'GET')],
};
const DRIVER = {
  from: 'frontend',
  to: 'driver',
  name: 'driver.DriverService/FindNearest',
  attributes: [attr('rpc.system', 'grpc')],
};
const REDIS = {
  from: 'driver',
  to: 'redis',
  name: 'FindDriverIDs',
  serverName: 'GetDriver',
  attributes: [attr('db.system', 'redis')],
};
const ROUTE = { from: 'frontend', to: 'route', name: 'HTTP GET /route', attributes: [] };

/**
 * The CLIENT span of `hop.from` and the SERVER span of `hop.to` it calls 1 ms later, lasting
 * `[clientMs, serverMs]`; both fail when `error`.
 */
function call(tid, parentId, hop, startMs, [clientMs, serverMs], error = false) {
  const { from, to, name, serverName = name, attributes } = hop;
  const client = span(from, tid, parentId, name, 3, startMs, clientMs, attributes, error);
  return [client, span(to, tid, client.s.spanId, serverName, 2, startMs + 1, serverMs, attributes, error)];
}

/** One dispatch trace starting at `t0` (ms): the frontend root and its customer, driver and route calls. */
function trace(t0) {
  const tid = hex(16);
  const err = Math.random() < 0.12;
  const root = span('frontend', tid, undefined, 'HTTP GET /dispatch', 2, t0, jitterMs(300, 700), [
    attr('http.method', 'GET'),
    attr('http.route', '/dispatch'),
    attr('http.status_code', err ? 500 : 200),
  ]);
  root.s.status = err ? { code: 2, message: 'driver failed' } : { code: 0 };
  const rootId = root.s.spanId;
  const [customerClient, customer] = call(tid, rootId, CUSTOMER, t0 + 2, [
    jitterMs(120, 150),
    jitterMs(110, 100),
  ]);
  const db = span('mysql', tid, customer.s.spanId, 'SQL SELECT', 2, t0 + 5, jitterMs(80, 90), [
    attr('db.system', 'mysql'),
  ]);
  const [driverClient, driver] = call(
    tid,
    rootId,
    DRIVER,
    t0 + 280,
    [jitterMs(150, 200), jitterMs(140, 180)],
    err,
  );
  const redis = [0, 1, 2].flatMap((i) => {
    const failed = Math.random() < 0.08; // ~8 % of the redis calls fail, on both sides
    return call(tid, driver.s.spanId, REDIS, t0 + 285 + i * 30, [jitterMs(10, 25), jitterMs(8, 20)], failed);
  });
  const route = call(tid, rootId, ROUTE, t0 + 500, [jitterMs(40, 60), jitterMs(35, 55)]);
  return [root, customerClient, customer, db, driverClient, driver, ...redis, ...route];
}

const now = Date.now();
const spans = [];
for (let m = minutes; m >= 0; m--) {
  for (let i = 0; i < perMinute; i++) {
    const t0 = now - m * 60_000 - Math.random() * 60_000 - 2_000;
    if (t0 < now - 1_500) spans.push(...trace(t0));
  }
}
const bySvc = new Map();
for (const { svc, s } of spans) bySvc.set(svc, [...(bySvc.get(svc) ?? []), s]);
const body = {
  resourceSpans: [...bySvc].map(([svc, ss]) => ({
    resource: { attributes: [attr('service.name', svc)] },
    scopeSpans: [{ scope: { name: 'feed-hotrod' }, spans: ss }],
  })),
};
const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
console.log(`HTTP ${res.status} ${await res.text()} — ${spans.length} spans`);
