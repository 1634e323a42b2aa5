import type { ServerResponse } from 'node:http';
import {
  type Attributes,
  type Context,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LEAN_ROOT_CONTEXT } from '../context/lean-context.js';
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
import { startInstrumentationSpan, unsampledSpan } from './fast-path.js';
import { correlateRequestLogs, installLogCorrelation } from './log-correlation.js';
import { redactQuery } from './redact.js';

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

/** Options of {@link instrumentFastify} (and of `instrumentAll`, which passes them on). */
export interface ServerTracingOptions {
  /** Paths (exact, without query) that produce no span. Default {@link DEFAULT_EXCLUDED_PATHS}. */
  excludePaths?: readonly string[];
  /**
   * Request-scoped attributes (user, session, request id…), read once per request when the span
   * starts. Exceptions it throws are swallowed.
   */
  requestAttributes?: (request: FastifyRequest) => Attributes | undefined;
  /** Add `trace_id` / `span_id` to the lines `request.log` writes (default true; see log-correlation.ts). */
  logCorrelation?: boolean;
  /**
   * Send the W3C `traceresponse` header on each response (default: the TracingService's
   * `traceResponse`, itself true unless `AUTOBOT_TRACE_RESPONSE_HEADER=false`).
   */
  traceResponse?: boolean;
}

/** The process-wide default of {@link ServerTracingOptions.traceResponse}. */
let traceResponseDefault = true;

/** Set the process-wide default for the `traceresponse` header (the TracingService's `traceResponse`). */
export function setTraceResponseHeader(on: boolean): void {
  traceResponseDefault = on;
}

const TRACER_NAME = 'autobot.http-server';
/** Marks an app already instrumented (by the register entry point or an earlier call). */
const kInstrumented = Symbol.for('autobot.tracing.fastify');

/**
 * Trace every request of a Fastify app: one SERVER span `HTTP {METHOD} {route template}` per
 * request, parented on the caller's W3C or B3 context, active for the whole handler, ended when
 * the response is sent. 5xx and thrown errors mark the span as error; 4xx do not. Each response
 * carries a W3C `traceresponse` header with the trace id (unless `traceResponse` is off).
 *
 * Call before `app.ready()` / `listen()`. Lean by design: an `onRequest` and an `onError` hook,
 * and for recording spans one `close` listener on the raw response, which ends the span.
 */
export function instrumentFastify(app: FastifyInstance, options: ServerTracingOptions = {}): void {
  const marked = app as FastifyInstance & { [kInstrumented]?: true };
  if (marked[kInstrumented]) {
    // Typically the register entry point got there first, with default options.
    const { excludePaths, requestAttributes, logCorrelation, traceResponse } = options;
    if (
      excludePaths !== undefined ||
      requestAttributes !== undefined ||
      logCorrelation !== undefined ||
      traceResponse !== undefined
    ) {
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
  const traceResponse = options.traceResponse ?? traceResponseDefault;
  const tracer = trace.getTracer(TRACER_NAME);

  app.decorateRequest('traceSpan', null);
  if (logCorrelation) installLogCorrelation(app);

  app.addHook('onRequest', (request, reply, done) => {
    const url = request.url;
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    if (excluded.has(path)) return done();
    const headers = request.headers;
    // Most requests carry no trace header: skip the propagators' extract (B3 + W3C + baggage).
    // A lean context: derived contexts add a node instead of copying a Map (context/lean-context.ts).
    const parent = hasTraceHeaders(headers)
      ? propagation.extract(LEAN_ROOT_CONTEXT, headers)
      : LEAN_ROOT_CONTEXT;
    // Known unsampled (rate 0, a root failing the ratio test, a parent with sampled=0): ids only,
    // no name, no attributes, no route lookup.
    const span = unsampledSpan(parent) ?? startServerSpan(tracer, request, path, mark, parent);
    request.traceSpan = span;
    if (span.isRecording()) {
      watchResponse(request, reply);
      if (requestAttributes) addRequestAttributes(span, request, requestAttributes);
    }

    const { traceId, spanId, traceFlags } = span.spanContext();
    // Sampled and random trace-id flags (W3C Trace Context Level 2 §3.2.2.5), as in traceparent.
    if (traceResponse) reply.header('traceresponse', `00-${traceId}-${spanId}-0${traceFlags & 3}`);
    if (logCorrelation) correlateRequestLogs(app, request, reply, traceId, spanId);
    context.with(trace.setSpan(parent, span), done);
  });

  app.addHook('onError', (request, _reply, error, done) => {
    if (request.traceSpan) recordError(request.traceSpan, error);
    done();
  });
}

/** The open recording SERVER span of a response, kept on the raw response until it closes. */
interface OpenServerSpan {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly started: number;
}
const kOpenSpan = Symbol('autobot.fastify.open-span');
type RawWithOpenSpan = ServerResponse & { [kOpenSpan]?: OpenServerSpan };

/**
 * End the span when the raw response closes: after it finished (the normal end), or before (the
 * client went away: "client aborted the request"). One listener, added only for recording spans;
 * Fastify `onResponse` / `onRequestAbort` hooks would make Fastify set up listeners and hook
 * runners for every request, unsampled ones included.
 */
function watchResponse(request: FastifyRequest, reply: FastifyReply): void {
  const raw = reply.raw as RawWithOpenSpan;
  raw[kOpenSpan] = { request, reply, started: performance.now() };
  raw.on('close', onResponseClosed);
}

function onResponseClosed(this: RawWithOpenSpan): void {
  const open = this[kOpenSpan];
  if (open === undefined) return;
  this[kOpenSpan] = undefined;
  try {
    // Ended by the server (even if the last bytes never reached a client that left): a response.
    if (this.writableEnded) endServerSpan(open);
    else endAbortedSpan(open.request);
  } catch {
    // tracing never breaks the response path
  }
}

function endAbortedSpan(request: FastifyRequest): void {
  const span = request.traceSpan;
  if (!span) return;
  request.traceSpan = null;
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted the request' });
  span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
  span.end();
}

function endServerSpan({ request, reply, started }: OpenServerSpan): void {
  const span = request.traceSpan;
  if (!span) return;
  request.traceSpan = null;
  const status = reply.statusCode;
  span.setAttribute(ATTR_HTTP_STATUS_CODE, status);
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  span.setAttribute(ATTR_HTTP_DURATION_MS, performance.now() - started);
  // 5xx is the server's failure; 4xx is the caller's and leaves the server span unset.
  if (status >= 500) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
    span.setAttribute(ATTR_ERROR_TYPE, String(status));
  }
  span.end();
}

/**
 * Headers that can start a context on their own, for any of our propagators. `fields()` is not
 * enough on its own: it lists what a propagator injects, and B3 injects one encoding but extracts
 * both (`b3` and `X-B3-*`).
 */
const EXTRACTED_HEADERS = ['traceparent', 'b3', 'x-b3-traceid', 'x-b3-sampled', 'x-b3-flags', 'baggage'];
/** Headers our propagators read only beside one of the above (`tracestate` needs a `traceparent`). */
const DEPENDENT_HEADERS = ['tracestate', 'x-b3-spanid', 'x-b3-parentspanid'];
let knownPropagator: unknown;
/** Fields of a registered propagator that is not ours (a custom format's), checked as well. */
let otherHeaders: readonly string[] = [];

// The API hands out the registered propagator only through this (untyped) accessor; `fields()`
// alone cannot tell a change, because the composite propagator returns a fresh copy each call.
const globalPropagator = (propagation as unknown as { _getGlobalPropagator?: () => unknown })
  ._getGlobalPropagator;

/** True when `headers` hold any header the global propagator may read. */
function hasTraceHeaders(headers: FastifyRequest['headers']): boolean {
  const current = globalPropagator ? globalPropagator.call(propagation) : propagation.fields().join();
  if (current !== knownPropagator) {
    // The global propagator changed (or first call): add its own fields, e.g. a custom format's.
    knownPropagator = current;
    const fields = new Set(propagation.fields().map((f) => f.toLowerCase()));
    for (const name of [...EXTRACTED_HEADERS, ...DEPENDENT_HEADERS]) fields.delete(name);
    otherHeaders = [...fields];
  }
  // One named load per header (EXTRACTED_HEADERS): each stays monomorphic, where a keyed load
  // over a list of names goes megamorphic and probes V8's stub cache for every name, every request.
  if (
    headers.traceparent !== undefined ||
    headers.b3 !== undefined ||
    headers['x-b3-traceid'] !== undefined ||
    headers['x-b3-sampled'] !== undefined ||
    headers['x-b3-flags'] !== undefined ||
    headers.baggage !== undefined
  )
    return true;
  for (let i = 0; i < otherHeaders.length; i++)
    if (headers[otherHeaders[i] as string] !== undefined) return true;
  return false;
}

/**
 * The SERVER span through the SDK, with all its attributes in one object at creation (the
 * sampler sees them; nothing is set twice). The span may still be unsampled (a foreign provider
 * or sampler), in which case the attributes are simply dropped by the SDK.
 */
function startServerSpan(
  tracer: Tracer,
  request: FastifyRequest,
  path: string,
  mark: number,
  parent: Context,
): Span {
  const method = request.method;
  const route = routeTemplate(request);
  const scheme = request.protocol;
  const host = hostParts(request);
  const shownQuery = mark === -1 ? '' : redactQuery(request.url.slice(mark + 1));
  const attributes: Attributes = {
    [ATTR_HTTP_METHOD]: method,
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_URL_PATH]: path,
    [ATTR_URL_SCHEME]: scheme,
    [ATTR_HTTP_URL]: `${scheme}://${host.host}${path}${shownQuery === '' ? '' : `?${shownQuery}`}`,
    [ATTR_SERVER_ADDRESS]: host.hostname,
    [ATTR_CLIENT_ADDRESS]: request.ip,
  };
  if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;
  if (shownQuery !== '') attributes[ATTR_URL_QUERY] = shownQuery;
  const port = host.port;
  if (port) attributes[ATTR_SERVER_PORT] = port;
  const userAgent = request.headers['user-agent'];
  if (userAgent) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
  const name = route === undefined ? `HTTP ${method}` : `HTTP ${method} ${route}`;
  return startInstrumentationSpan(tracer, TRACER_NAME, name, SpanKind.SERVER, attributes, parent);
}

/** `request.host` and what Fastify derives from it (`hostname`, `port`), computed once per host. */
interface HostParts {
  host: string;
  hostname: string;
  port: number | null;
}

const hostPartsByHost = new Map<string, HostParts>();
/** Services see a handful of Host values; the bound guards against clients inventing them. */
const MAX_HOSTS = 256;

/**
 * Fastify's `hostname` and `port` getters re-read `host` and parse it (a split, a regex) on every
 * access; both are pure functions of the `host` string, so they are cached by it.
 */
function hostParts(request: FastifyRequest): HostParts {
  const host = request.host;
  let parts = hostPartsByHost.get(host);
  if (parts === undefined) {
    parts = { host, hostname: request.hostname, port: request.port };
    if (hostPartsByHost.size >= MAX_HOSTS) hostPartsByHost.clear();
    hostPartsByHost.set(host, parts);
  }
  return parts;
}

/** Fastify's private route-context key (`Symbol('fastify.context')`), found on the first request. */
let routeContextKey: symbol | null | undefined;

/**
 * The matched route's template (`/api/items/:id`), as `request.routeOptions.url` gives it. That
 * getter builds a dozen-field options object on every call; the template is read straight from
 * the route context it is built from. When Fastify's internals differ (no such key, no string
 * there), the public getter answers. fastify.test.ts checks both agree.
 */
export function routeTemplate(request: FastifyRequest): string | undefined {
  if (routeContextKey === undefined) {
    routeContextKey =
      Object.getOwnPropertySymbols(request).find((key) => key.description === 'fastify.context') ?? null;
  }
  if (routeContextKey !== null) {
    const context = (request as unknown as Record<symbol, { config?: { url?: unknown } } | undefined>)[
      routeContextKey
    ];
    const url = context?.config?.url;
    if (typeof url === 'string') return url;
  }
  return request.routeOptions.url;
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
