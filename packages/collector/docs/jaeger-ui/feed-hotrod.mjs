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

/** One dispatch trace starting at `t0` (ms): the frontend root and its customer, driver and route calls. */
function trace(t0) {
  const tid = hex(16);
  const err = Math.random() < 0.12;
  const root = span('frontend', tid, undefined, 'HTTP GET /dispatch', 2, t0, 300 + Math.random() * 700, [
    attr('http.method', 'GET'),
    attr('http.route', '/dispatch'),
    attr('http.status_code', err ? 500 : 200),
  ]);
  root.s.status = err ? { code: 2, message: 'driver failed' } : { code: 0 };
  return [
    root,
    ...customerCall(tid, root.s.spanId, t0),
    ...driverCall(tid, root.s.spanId, t0, err),
    ...routeCall(tid, root.s.spanId, t0),
  ];
}

/** frontend → customer → mysql. */
function customerCall(tid, parentId, t0) {
  const client = span('frontend', tid, parentId, 'HTTP GET /customer', 3, t0 + 2, 120 + Math.random() * 150, [
    attr('http.method', 'GET'),
  ]);
  const server = span(
    'customer',
    tid,
    client.s.spanId,
    'HTTP GET /customer',
    2,
    t0 + 3,
    110 + Math.random() * 100,
    [attr('http.method', 'GET')],
  );
  const db = span('mysql', tid, server.s.spanId, 'SQL SELECT', 2, t0 + 5, 80 + Math.random() * 90, [
    attr('db.system', 'mysql'),
  ]);
  return [client, server, db];
}

/** frontend → driver (failing when `err`), which makes three redis calls. */
function driverCall(tid, parentId, t0, err) {
  const client = span(
    'frontend',
    tid,
    parentId,
    'driver.DriverService/FindNearest',
    3,
    t0 + 280,
    150 + Math.random() * 200,
    [attr('rpc.system', 'grpc')],
    err,
  );
  const server = span(
    'driver',
    tid,
    client.s.spanId,
    'driver.DriverService/FindNearest',
    2,
    t0 + 281,
    140 + Math.random() * 180,
    [attr('rpc.system', 'grpc')],
    err,
  );
  const out = [client, server];
  for (let i = 0; i < 3; i++) out.push(...redisCall(tid, server.s.spanId, t0 + 285 + i * 30));
  return out;
}

/** driver → redis starting at `startMs`; ~8 % fail on both sides. */
function redisCall(tid, parentId, startMs) {
  const redisErr = Math.random() < 0.08;
  const call = span(
    'driver',
    tid,
    parentId,
    'FindDriverIDs',
    3,
    startMs,
    10 + Math.random() * 25,
    [attr('db.system', 'redis')],
    redisErr,
  );
  const server = span(
    'redis',
    tid,
    call.s.spanId,
    'GetDriver',
    2,
    startMs + 1,
    8 + Math.random() * 20,
    [attr('db.system', 'redis')],
    redisErr,
  );
  return [call, server];
}

/** frontend → route. */
function routeCall(tid, parentId, t0) {
  const client = span('frontend', tid, parentId, 'HTTP GET /route', 3, t0 + 500, 40 + Math.random() * 60);
  return [
    client,
    span('route', tid, client.s.spanId, 'HTTP GET /route', 2, t0 + 501, 35 + Math.random() * 55),
  ];
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
