// Sender process: pre-encodes OTLP protobuf batches (512 spans × 10 attributes), then sends them
// with N requests in flight — OTLP/HTTP POSTs over keep-alive connections, or, for a
// `grpc://host:port` target, OTLP/gRPC Export calls on one channel — and reports spans/s as one
// JSON line. `https://…` and `grpcs://host:port` speak TLS, trusting the CA certificate in the file
// named by BENCH_CA_FILE; BENCH_TOKEN_FILE names a file whose token is sent as
// `authorization: Bearer …` on every request (kept out of argv).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import * as grpc from '@grpc/grpc-js';
import { encodeBatch } from './encode.mjs';
import { makeSpans } from './gen.mjs';

const [url, batchesArg = '300', concurrencyArg = '4', batchSizeArg = '512'] = process.argv.slice(2);
const batches = Number(batchesArg);
const concurrency = Number(concurrencyArg);
const batchSize = Number(batchSizeArg);

const nowUs = Date.now() * 1000;
const payloads = [];
for (let b = 0; b < batches; b++) payloads.push(encodeBatch(makeSpans(batchSize, nowUs + b * batchSize)));
const bytes = payloads.reduce((s, p) => s + p.length, 0);

const target = new URL(url);
const ca = process.env.BENCH_CA_FILE ? readFileSync(process.env.BENCH_CA_FILE) : undefined;
const token = process.env.BENCH_TOKEN_FILE ? readFileSync(process.env.BENCH_TOKEN_FILE, 'utf8').trim() : '';
const authorization = token === '' ? {} : { authorization: `Bearer ${token}` };
const secure = target.protocol === 'https:' || target.protocol === 'grpcs:';
const agent =
  target.protocol === 'https:'
    ? new https.Agent({ keepAlive: true, maxSockets: concurrency, ca })
    : new http.Agent({ keepAlive: true, maxSockets: concurrency });
// grpc-js would send an IP address as the TLS server name (deprecated, DEP0123): name the
// certificate's DNS name instead (BENCH_TLS_NAME, the bench issues it for "localhost").
const tlsName = process.env.BENCH_TLS_NAME;
const grpcClient = target.protocol.startsWith('grpc')
  ? new grpc.Client(
      target.host,
      secure ? grpc.credentials.createSsl(ca) : grpc.credentials.createInsecure(),
      secure && tlsName
        ? { 'grpc.ssl_target_name_override': tlsName, 'grpc.default_authority': tlsName }
        : {},
    )
  : undefined;
const grpcMetadata = new grpc.Metadata();
if (token !== '') grpcMetadata.set('authorization', `Bearer ${token}`);
const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const identity = (b) => b;
function send(body) {
  return grpcClient ? sendGrpc(body) : sendHttp(body);
}
function sendGrpc(body) {
  return new Promise((resolve, reject) => {
    grpcClient.makeUnaryRequest(EXPORT_PATH, identity, identity, body, grpcMetadata, (error) =>
      error ? reject(error) : resolve(),
    );
  });
}
function sendHttp(body) {
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/x-protobuf',
          'content-length': body.length,
          ...authorization,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// Warm-up: a few batches so JIT and connections are ready (not counted).
const warm = Math.min(10, Math.floor(batches / 10));
for (let i = 0; i < warm; i++) await send(payloads[i]);
// A harness that measures the receiver's CPU time starts counting here.
console.log(JSON.stringify({ event: 'warm' }));
let next = warm;
const start = process.hrtime.bigint();
// The sender's own CPU over the measured part: it shares the machine's cores with the collector.
const cpuAtStart = process.cpuUsage();
async function worker() {
  while (next < payloads.length) {
    const i = next++;
    await send(payloads[i]);
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const cpu = process.cpuUsage(cpuAtStart);
const spans = (payloads.length - warm) * batchSize;
agent.destroy();
grpcClient?.close();
console.log(
  JSON.stringify({
    spans,
    seconds,
    spansPerSec: Math.round(spans / seconds),
    cpuUsPerSpan: Number(((cpu.user + cpu.system) / spans).toFixed(1)),
    mbPerBatch: bytes / payloads.length / 1e6,
  }),
);
