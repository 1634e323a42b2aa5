import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { ServiceError } from '@autobot/service-kit';
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { RelayConfig } from './config.js';

/** Error codes of the relay, each with its HTTP status (README, "Error codes"). */
export const RELAY_ERRORS = Object.freeze({
  AUTOBOT_ERR_FRONTEND_RELAY_BODY_TOO_LARGE: 413,
  AUTOBOT_ERR_FRONTEND_RELAY_MEDIA_TYPE: 415,
  AUTOBOT_ERR_FRONTEND_RELAY_BAD_BODY: 400,
  AUTOBOT_ERR_FRONTEND_RELAY_RATE_LIMITED: 429,
  AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_REFUSED: 502,
  AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_BUSY: 503,
  AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_FAILED: 502,
  AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_UNREACHABLE: 502,
  AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_TIMEOUT: 504,
} as const);

type RelayErrorCode = keyof typeof RELAY_ERRORS;

const relayError = (code: RelayErrorCode, message: string, cause?: unknown) =>
  new ServiceError(code, message, RELAY_ERRORS[code], { cause });

const CONTENT_TYPES = new Set(['application/json', 'application/x-protobuf', 'application/protobuf']);
const DECODERS: Record<string, (body: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
};
/** Bytes of a collector answer kept (OTLP answers are a few hundred bytes). */
const MAX_UPSTREAM_ANSWER_BYTES = 64 * 1024;

/** What the collector answered to one relayed request. */
interface UpstreamAnswer {
  status: number;
  contentType: string | undefined;
  retryAfter: string | undefined;
  body: Buffer;
}

/**
 * `POST /v1/traces` on the page's origin: the page's OTLP/HTTP export (JSON or protobuf, plain,
 * gzip or deflate) is checked against the size limit and the per-client rate limit, then posted
 * to the collector with the server's own headers and TLS material (`config.credentials`), body
 * and `content-encoding` unchanged. The page never holds a credential; the collector needs no
 * CORS for it.
 *
 * A Fastify plugin (`app.register(otlpRelay, config)`). Answers: the collector's 2xx, 400 and 413 pass through (they describe the page's payload);
 * a refused credential (401/403) becomes 502 `…_UPSTREAM_REFUSED`, a busy collector (429/503)
 * 503 `…_UPSTREAM_BUSY` with its `retry-after`, other failures 502/504. Error messages name
 * the collector's origin and status only: never a header value.
 */
export async function otlpRelay(app: FastifyInstance, config: RelayConfig): Promise<void> {
  // Registered here, the rate limiter's hooks stay inside the relay's scope.
  await app.register(rateLimit, { global: false });
  await app.register(async (scope) => relayRoutes(scope, config));
}

async function relayRoutes(scope: FastifyInstance, config: RelayConfig): Promise<void> {
  const target = new URL(config.targetUrl);
  const { send, close } = upstreamSender(target, config);
  // Idle keep-alive sockets to the collector must not outlive the server.
  scope.addHook('onClose', async () => close());
  const limitText = `${config.maxBodyBytes} bytes (AUTOBOT_FRONTEND_RELAY_MAX_BODY_BYTES)`;
  const tooLarge = () =>
    relayError('AUTOBOT_ERR_FRONTEND_RELAY_BODY_TOO_LARGE', `OTLP export body exceeds ${limitText}`);

  // The body is relayed as received: no JSON parsing, only a size-bounded buffer.
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.maxBodyBytes }, (_req, body, done) =>
    done(null, body),
  );
  // Fastify's own "body too large" names no limit: give it our code and reason, then let the
  // service's error handler answer.
  scope.setErrorHandler((error: FastifyError, _request, _reply) => {
    throw error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? tooLarge() : error;
  });

  const rateLimitConfig: { rateLimit?: RateLimitOptions } =
    config.rateLimitPerMinute > 0
      ? {
          rateLimit: {
            max: config.rateLimitPerMinute,
            timeWindow: 60_000,
            errorResponseBuilder: (_req, context) =>
              relayError(
                'AUTOBOT_ERR_FRONTEND_RELAY_RATE_LIMITED',
                `more than ${context.max} OTLP exports a minute from this client ` +
                  `(AUTOBOT_FRONTEND_RELAY_RATE_LIMIT); retry in ${context.after}`,
              ),
          },
        }
      : {};

  scope.post('/v1/traces', { config: rateLimitConfig }, async (request, reply) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!CONTENT_TYPES.has(type)) {
      throw relayError(
        'AUTOBOT_ERR_FRONTEND_RELAY_MEDIA_TYPE',
        `content-type ${JSON.stringify(type.slice(0, 80))} is not OTLP/HTTP (expected application/json or application/x-protobuf)`,
      );
    }
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (body.length > config.maxBodyBytes) throw tooLarge();
    const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') await checkDecodedSize(encoding, body, config.maxBodyBytes, limitText);
    const answer = await send(body, request.headers['content-type'] as string, encoding);
    return relayAnswer(answer, target, reply);
  });
}

/** Bounds the decompressed size too, so the relay never lets a small gzip bomb through. */
async function checkDecodedSize(
  encoding: string,
  body: Buffer,
  max: number,
  limitText: string,
): Promise<void> {
  const decode = DECODERS[encoding];
  if (!decode) {
    throw relayError(
      'AUTOBOT_ERR_FRONTEND_RELAY_MEDIA_TYPE',
      `content-encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported (expected gzip, deflate or identity)`,
    );
  }
  try {
    await decode(body, { maxOutputLength: max });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw relayError(
        'AUTOBOT_ERR_FRONTEND_RELAY_BODY_TOO_LARGE',
        `OTLP export body decompresses to more than ${limitText}`,
      );
    }
    throw relayError(
      'AUTOBOT_ERR_FRONTEND_RELAY_BAD_BODY',
      `OTLP export body is not valid ${encoding} data`,
      error,
    );
  }
}

function relayAnswer(answer: UpstreamAnswer, target: URL, reply: FastifyReply): FastifyReply {
  const { status } = answer;
  const from = `the collector at ${target.origin}`;
  if ((status >= 200 && status < 300) || status === 400 || status === 413) {
    if (answer.contentType) reply.header('content-type', answer.contentType);
    return reply.code(status).send(answer.body);
  }
  if (status === 401 || status === 403) {
    throw relayError(
      'AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_REFUSED',
      `${from} refused the frontend's credentials (HTTP ${status}); check OTEL_EXPORTER_OTLP_HEADERS / the client certificate of the frontend server`,
    );
  }
  if (status === 429 || status === 503) {
    reply.header('retry-after', answer.retryAfter ?? '1');
    throw relayError(
      'AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_BUSY',
      `${from} is busy (HTTP ${status}); retry later`,
    );
  }
  throw relayError('AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_FAILED', `${from} answered HTTP ${status}`);
}

/**
 * One keep-alive agent per relay, carrying the CA bundle and client certificate for an
 * `https://` target; `send` posts one body, `close` drops the agent's sockets.
 */
function upstreamSender(target: URL, config: RelayConfig) {
  const { credentials, timeoutMs } = config;
  const tls = target.protocol === 'https:';
  const agent = tls
    ? new HttpsAgent({
        keepAlive: true,
        ...(credentials.rootCertificate ? { ca: credentials.rootCertificate } : {}),
        ...(credentials.clientCertificate ? { cert: credentials.clientCertificate } : {}),
        ...(credentials.clientKey ? { key: credentials.clientKey } : {}),
      })
    : new HttpAgent({ keepAlive: true });
  const request = tls ? httpsRequest : httpRequest;
  const from = `the collector at ${target.origin}`;

  const send = (body: Buffer, contentType: string, encoding: string) =>
    new Promise<UpstreamAnswer>((resolve, reject) => {
      const req = request(target, {
        method: 'POST',
        agent,
        timeout: timeoutMs,
        headers: {
          ...credentials.headers,
          'content-type': contentType,
          'content-length': String(body.length),
          ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
        },
      });
      req.on('timeout', () =>
        req.destroy(
          relayError(
            'AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_TIMEOUT',
            `${from} did not answer within ${timeoutMs} ms`,
          ),
        ),
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof ServiceError) return reject(error);
        // Node's messages name the address and the TLS reason, never the request's headers.
        reject(
          relayError(
            'AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_UNREACHABLE',
            `${from} is unreachable: ${error.code ?? 'error'} ${error.message}`,
            error,
          ),
        );
      });
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_UPSTREAM_ANSWER_BYTES) chunks.push(chunk);
        });
        res.on('error', (error) =>
          reject(
            relayError(
              'AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_UNREACHABLE',
              `${from} broke off its answer`,
              error,
            ),
          ),
        );
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 502,
            contentType: res.headers['content-type'],
            retryAfter: res.headers['retry-after'],
            body: Buffer.concat(chunks),
          }),
        );
      });
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}
