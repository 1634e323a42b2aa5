// A discarding OTLP/HTTP receiver that counts what it is sent: the stand-in for a remote collector
// in the overhead run (in production the collector runs on another VM; on this 2-core machine its
// storage work would otherwise be taken from the services under test). Each protobuf request
// (gzip or not) has its spans counted per `service.name` by walking the protobuf framing
// (otlp-span-count.mjs), and the body is dropped. The first request and every 64th are also
// decoded with the collector's own decoder, which must accept every span and agree with the count
// (`checkedRequests`, `checkMismatches`), so the encoder's output stays checked at a small fraction
// of a full decode's CPU. GET /counts answers the running totals as JSON.
// Prints {"event":"listening","httpPort":N} when ready.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { decodeProtobufRequest } from '../../packages/collector/dist/index.js';
import { countSpans } from './otlp-span-count.mjs';

/** Every CHECK_EVERY-th request is also fully decoded. */
const CHECK_EVERY = 64;

const spansByService = {};
const totals = {
  requests: 0,
  spans: 0,
  failedRequests: 0,
  rejectedSpans: 0,
  checkedRequests: 0,
  checkMismatches: 0,
};
// An empty ExportTraceServiceResponse: no partial_success, i.e. everything was accepted.
const EMPTY_RESPONSE = new Uint8Array(0);

function accept(body, encoding) {
  const bytes = encoding === 'gzip' ? gunzipSync(body) : body;
  const spans = countSpans(bytes, spansByService);
  totals.spans += spans;
  if ((totals.requests - 1) % CHECK_EVERY === 0) {
    const batch = decodeProtobufRequest(bytes);
    totals.checkedRequests++;
    totals.rejectedSpans += batch.rejected;
    if (batch.spanCount + batch.rejected !== spans) totals.checkMismatches++;
  }
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/counts') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ...totals, spansByService }));
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    totals.requests++;
    try {
      accept(Buffer.concat(chunks), req.headers['content-encoding']);
      res.setHeader('content-type', 'application/x-protobuf');
      res.end(EMPTY_RESPONSE);
    } catch (error) {
      totals.failedRequests++;
      res.statusCode = 400;
      res.end(String(error?.message ?? error));
    }
  });
});
server.listen(0, '127.0.0.1', () =>
  console.log(JSON.stringify({ event: 'listening', httpPort: server.address().port })),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
