import {
  type Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { warn } from '../logger.js';
import { recordError } from '../record-error.js';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_DURATION_MS,
  ATTR_HTTP_METHOD,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_HTTP_STATUS_CODE,
  ATTR_HTTP_URL,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '../semconv.js';
import { redactQuery, splitTarget } from './redact.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's SERVER span (null when the route is excluded or tracing is off). */
    traceSpan: Span | null;
  }
}

/** Routes that make no spans unless configured otherwise. */
export const DEFAULT_EXCLUDED_PATHS: readonly string[] = [
  '/health',
  '/api/health',
  '/metrics',
  '/api/metrics',
];

export interface ServerTracingOptions {
  /** Paths (exact, without query) that produce no span. Default {@link DEFAULT_EXCLUDED_PATHS}. */
  excludePaths?: readonly string[];
  /**
   * Request-scoped attributes (user, session, request id…), read once per request when the span
   * starts. Exceptions it throws are swallowed.
   */
  requestAttributes?: (request: FastifyRequest) => Attributes | undefined;
  /** Add `trace_id` / `span_id` to `request.log` (default true). */
  logCorrelation?: boolean;
}

const TRACER_NAME = 'autobot.http-server';
/** Marks an app already instrumented (by the register entry point or an earlier call). */
const kInstrumented = Symbol.for('autobot.tracing.fastify');

/**
 * Trace every request of a Fastify app: one SERVER span `HTTP {METHOD} {route template}` per
 * request, parented on the caller's W3C or B3 context, active for the whole handler, ended when
 * the response is sent. 5xx and thrown errors mark the span as error; 4xx do not. Each response
 * carries a W3C `traceresponse` header with the trace id.
 *
 * Call before `app.ready()` / `listen()`. Lean by design: three hooks and no per-request
 * allocation beyond the span, so tracing costs a few microseconds per request.
 */
export function instrumentFastify(app: FastifyInstance, options: ServerTracingOptions = {}): void {
  const marked = app as FastifyInstance & { [kInstrumented]?: true };
  if (marked[kInstrumented]) {
    // Typically the register entry point got there first, with default options.
    const { excludePaths, requestAttributes, logCorrelation } = options;
    if (excludePaths !== undefined || requestAttributes !== undefined || logCorrelation !== undefined) {
      warn(
        'this Fastify app is already instrumented (by --import @autobot/tracing/register?); options ignored',
      );
    }
    return;
  }
  marked[kInstrumented] = true;
  const excluded = new Set(options.excludePaths ?? DEFAULT_EXCLUDED_PATHS);
  const requestAttributes = options.requestAttributes;
  const logCorrelation = options.logCorrelation ?? true;
  const tracer = trace.getTracer(TRACER_NAME);

  app.decorateRequest('traceSpan', null);

  app.addHook('onRequest', (request, reply, done) => {
    const { path, query } = splitTarget(request.url);
    if (excluded.has(path)) return done();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const method = request.method;
    const route = request.routeOptions.url;
    const scheme = request.protocol;
    // The sampling-relevant attributes (semconv) go in at creation, where a sampler can read
    // them; everything else is built only for a span that is recorded. Measured: building the
    // full set for every unsampled request cost several µs of CPU per request (bench/RESULTS.md).
    const attributes: Attributes = {
      [ATTR_HTTP_METHOD]: method,
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_URL_PATH]: path,
      [ATTR_URL_SCHEME]: scheme,
    };
    if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;

    const span = tracer.startSpan(
      route === undefined ? `HTTP ${method}` : `HTTP ${method} ${route}`,
      { kind: SpanKind.SERVER, attributes },
      parent,
    );
    request.traceSpan = span;
    if (span.isRecording()) {
      addRequestDetails(span, request, path, query, scheme);
      if (requestAttributes) addRequestAttributes(span, request, requestAttributes);
    }

    const { traceId, spanId, traceFlags } = span.spanContext();
    reply.header('traceresponse', `00-${traceId}-${spanId}-0${traceFlags & 1}`);
    if (logCorrelation) {
      // reply.log writes the "request completed" line: give it the same bindings.
      request.log = request.log.child({ trace_id: traceId, span_id: spanId });
      reply.log = request.log;
    }
    context.with(trace.setSpan(parent, span), done);
  });

  app.addHook('onError', (request, _reply, error, done) => {
    if (request.traceSpan) recordError(request.traceSpan, error);
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    endServerSpan(request, reply);
    done();
  });

  app.addHook('onRequestAbort', (request, done) => {
    const span = request.traceSpan;
    if (span) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted the request' });
      span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
      span.end();
      request.traceSpan = null;
    }
    done();
  });
}

function endServerSpan(request: FastifyRequest, reply: FastifyReply): void {
  const span = request.traceSpan;
  if (!span) return;
  request.traceSpan = null;
  const status = reply.statusCode;
  span.setAttribute(ATTR_HTTP_STATUS_CODE, status);
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  span.setAttribute(ATTR_HTTP_DURATION_MS, reply.elapsedTime);
  // 5xx is the server's failure; 4xx is the caller's and leaves the server span unset.
  if (status >= 500) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
    span.setAttribute(ATTR_ERROR_TYPE, String(status));
  }
  span.end();
}

/** The attributes only a recorded span needs: full (redacted) URL, addresses, user agent. */
function addRequestDetails(
  span: Span,
  request: FastifyRequest,
  path: string,
  query: string,
  scheme: string,
): void {
  const shownQuery = query === '' ? '' : redactQuery(query);
  const attributes: Attributes = {
    [ATTR_HTTP_URL]: `${scheme}://${request.host}${path}${shownQuery === '' ? '' : `?${shownQuery}`}`,
    [ATTR_SERVER_ADDRESS]: request.hostname,
    [ATTR_CLIENT_ADDRESS]: request.ip,
  };
  if (shownQuery !== '') attributes[ATTR_URL_QUERY] = shownQuery;
  const port = request.port;
  if (port) attributes[ATTR_SERVER_PORT] = port;
  const userAgent = request.headers['user-agent'];
  if (userAgent) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
  span.setAttributes(attributes);
}

function addRequestAttributes(
  span: Span,
  request: FastifyRequest,
  read: NonNullable<ServerTracingOptions['requestAttributes']>,
): void {
  try {
    const attributes = read(request);
    if (attributes) span.setAttributes(attributes);
  } catch {
    // a failing attribute reader costs its attributes, never the request
  }
}
