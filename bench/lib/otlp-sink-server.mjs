// A discarding OTLP/HTTP receiver that counts what it is sent: the stand-in for a remote collector
// in the overhead run (in production the collector runs on another VM; on this 2-core machine its
// storage work would otherwise be taken from the services under test). Each protobuf request
// (gzip or not) is decoded with the collector's own decoder, its spans are counted per
// `service.name`, and the body is dropped. GET /counts answers the running totals as JSON.
// Prints {"event":"listening","httpPort":N} when ready.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { decodeProtobufRequest } from '../../packages/collector/dist/index.js';

const spansByService = {};
const totals = { requests: 0, spans: 0, failedRequests: 0, rejectedSpans: 0 };
// An empty ExportTraceServiceResponse: no partial_success, i.e. everything was accepted.
const EMPTY_RESPONSE = new Uint8Array(0);

function accept(body, encoding) {
  const bytes = encoding === 'gzip' ? gunzipSync(body) : body;
  const batch = decodeProtobufRequest(bytes);
  for (const group of batch.groups) {
    const name = group.resource.serviceName;
    spansByService[name] = (spansByService[name] ?? 0) + group.spans.length;
  }
  totals.spans += batch.spanCount;
  totals.rejectedSpans += batch.rejected;
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
