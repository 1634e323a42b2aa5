import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { retryAfterSeconds } from '../auth/rate-limit.js';
import { clientCertVerified, receiverTlsOptions, type TlsMaterial } from '../auth/tls.js';
import { bearerToken } from '../auth/tokens.js';
import { type CollectorError, UnsupportedMediaTypeError } from '../errors.js';
import type { IngestSink } from '../ingest.js';
import type { DecodedBatch } from '../model.js';
import type { DecodeLimits } from '../otlp/decode-common.js';
import { decodeJsonRequest } from '../otlp/decode-json.js';
import { decodeProtobufRequest } from '../otlp/decode-protobuf.js';
import { encodeExportResponse, RpcStatus } from '../otlp/schema.js';
import { type Admission, admit, type ReceiverGuard } from './guard.js';

/** Options of the OTLP/HTTP receiver. */
export interface HttpReceiverOptions {
  host: string;
  port: number;
  /** Limit for the body, compressed and decompressed (bytes). */
  maxBodyBytes: number;
  /** Browser origins allowed to POST (CORS); `*` allows any. */
  corsOrigins: string[];
  limits: DecodeLimits;
  /** Credentials and limits checked before the body is read. */
  guard: ReceiverGuard;
  /** Serve HTTPS (and request client certificates when a client CA is set). */
  tls?: TlsMaterial;
}

type BodyKind = 'protobuf' | 'json';

function bodyKind(contentType: string | undefined): BodyKind | null {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return null;
}

function send(res: ServerResponse, status: number, kind: BodyKind, body: Uint8Array | string): void {
  res.statusCode = status;
  res.setHeader('content-type', kind === 'protobuf' ? 'application/x-protobuf' : 'application/json');
  res.end(body);
}

function sendError(res: ServerResponse, kind: BodyKind, status: number, message: string): void {
  // OTLP/HTTP error bodies are google.rpc.Status in the request's encoding.
  const grpcCode = status === 413 || status === 429 ? 8 : status === 503 ? 14 : status === 401 ? 16 : 3;
  if (kind === 'protobuf') {
    send(res, status, kind, RpcStatus.encode(RpcStatus.fromObject({ code: grpcCode, message })).finish());
  } else {
    send(res, status, kind, JSON.stringify({ code: grpcCode, message }));
  }
}

function applyCors(req: IncomingMessage, res: ServerResponse, origins: string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  if (!origins.includes('*') && !origins.includes(origin)) return false;
  res.setHeader('access-control-allow-origin', origins.includes('*') ? '*' : origin);
  res.setHeader('vary', 'Origin');
  return true;
}

/** Decodes and stores one OTLP/HTTP request body; exported for in-process use and tests. */
export function handleExportBody(
  sink: IngestSink,
  kind: BodyKind,
  body: Buffer,
  limits: DecodeLimits,
): { status: number; body: Uint8Array | string } {
  let batch: DecodedBatch;
  try {
    batch = kind === 'protobuf' ? decodeProtobufRequest(body, limits) : decodeJsonRequest(body, limits);
  } catch (error) {
    const message = (error as Error).message;
    sink.fail(message, body.length);
    return { status: (error as CollectorError).statusCode ?? 400, body: message };
  }
  if (batch.spanCount === 0 && batch.rejected > 0) {
    const message = `all ${batch.rejected} span(s) rejected: ${batch.rejectReasons.join('; ')}`;
    sink.fail(message, body.length);
    return { status: 400, body: message };
  }
  let result: ReturnType<IngestSink['ingest']>;
  try {
    result = sink.ingest(batch, body.length);
  } catch (error) {
    const message = `storage failed: ${(error as Error).message}`;
    sink.fail(message, 0);
    return { status: 503, body: message };
  }
  if (kind === 'protobuf')
    return { status: 200, body: encodeExportResponse(result.rejected, result.message) };
  const json =
    result.rejected > 0
      ? JSON.stringify({
          partialSuccess: { rejectedSpans: String(result.rejected), errorMessage: result.message },
        })
      : '{}';
  return { status: 200, body: json };
}

/** Everything a request handler of the receiver needs, fixed at start. */
interface Receiver {
  sink: IngestSink;
  options: HttpReceiverOptions;
  decompress: (body: Buffer, encoding: string | undefined, max: number) => Buffer;
  readBody: (req: IncomingMessage, max: number) => Promise<Buffer>;
}

/**
 * Starts the OTLP/HTTP receiver (`POST /v1/traces`, protobuf or JSON, gzip/deflate, CORS).
 * Plain `node:http` keeps the per-request cost low on the ingest path.
 */
export async function startHttpReceiver(
  sink: IngestSink,
  options: HttpReceiverOptions,
  decompress: Receiver['decompress'],
  readBody: Receiver['readBody'],
): Promise<{ server: Server; port: number }> {
  const receiver: Receiver = { sink, options, decompress, readBody };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void handleRequest(receiver, req, res).catch((error: unknown) => {
      // Never let a request crash the process.
      if (!res.headersSent) sendError(res, 'json', 500, `internal error: ${(error as Error)?.message}`);
      else res.destroy();
    });
  };
  const server: Server =
    options.tls === undefined
      ? createServer(listener)
      : (createHttpsServer(receiverTlsOptions(options.tls), listener) as unknown as Server);
  server.keepAliveTimeout = 65_000;
  await listen(server, options.port, options.host);
  return { server, port: (server.address() as AddressInfo).port };
}

/** Resolves once `server` listens; rejects with the error that stopped it (a port in use). */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Route one request: wrong path, CORS preflight, wrong method, refused, or an export to receive. */
async function handleRequest(receiver: Receiver, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const cors = applyCors(req, res, receiver.options.corsOrigins);
  if (path !== '/v1/traces') {
    req.resume();
    sendError(res, 'json', 404, `not found: ${path} (OTLP traces are accepted at POST /v1/traces)`);
    return;
  }
  if (req.method === 'OPTIONS') {
    answerPreflight(req, res, cors);
    return;
  }
  if (req.method !== 'POST') {
    req.resume();
    res.setHeader('allow', 'POST, OPTIONS');
    sendError(res, 'json', 405, `method ${req.method} not allowed on /v1/traces; use POST`);
    return;
  }
  const kind = bodyKind(req.headers['content-type']);
  const admission = admit(
    receiver.options.guard,
    receiver.sink,
    req.socket.remoteAddress ?? 'unknown',
    bearerToken(req.headers.authorization),
    clientCertVerified(req.socket),
  );
  if (!admission.ok) {
    refuse(req, res, kind ?? 'json', admission);
    return;
  }
  try {
    await receive(receiver, req, res, kind);
  } finally {
    admission.release();
  }
}

/** Answer a CORS preflight: 204, with the allow headers when the origin is allowed. */
function answerPreflight(req: IncomingMessage, res: ServerResponse, cors: boolean): void {
  req.resume();
  if (cors) {
    res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
    res.setHeader(
      'access-control-allow-headers',
      String(req.headers['access-control-request-headers'] ?? 'content-type, content-encoding'),
    );
    res.setHeader('access-control-max-age', '600');
  }
  res.statusCode = 204;
  res.end();
}

/**
 * Refused before the body is read: nothing is decoded or stored. Close the connection rather
 * than drain a body we will not use.
 */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  kind: BodyKind,
  refusal: Exclude<Admission, { ok: true }>,
): void {
  res.setHeader('connection', 'close');
  if (refusal.kind === 'throttled') {
    res.setHeader('retry-after', String(retryAfterSeconds(refusal.retryAfterMs)));
    sendError(res, kind, 429, refusal.reason);
  } else {
    res.setHeader('www-authenticate', 'Bearer realm="autobot-trace"');
    sendError(res, kind, 401, refusal.reason);
  }
  req.resume();
}

/** Read, decompress, decode and store an admitted export request, then answer it. */
async function receive(
  { sink, options, decompress, readBody }: Receiver,
  req: IncomingMessage,
  res: ServerResponse,
  kind: BodyKind | null,
): Promise<void> {
  if (kind === null) {
    req.resume();
    const error = new UnsupportedMediaTypeError(
      `unsupported content type "${req.headers['content-type'] ?? ''}"; use application/x-protobuf or application/json`,
    );
    sink.fail(error.message);
    sendError(res, 'json', 415, error.message);
    return;
  }
  let body: Buffer;
  try {
    const raw = await readBody(req, options.maxBodyBytes);
    body = decompress(raw, req.headers['content-encoding'], options.maxBodyBytes);
  } catch (error) {
    const status = (error as CollectorError).statusCode ?? 400;
    sink.fail((error as Error).message);
    if (status === 413) res.setHeader('connection', 'close');
    sendError(res, kind, status, (error as Error).message);
    if (status === 413) req.resume();
    return;
  }
  const result = handleExportBody(sink, kind, body, options.limits);
  if (result.status === 200) send(res, 200, kind, result.body);
  else sendError(res, kind, result.status, String(result.body));
}
