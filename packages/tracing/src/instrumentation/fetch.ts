import diagnostics from 'node:diagnostics_channel';
import {
  type Context,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { recordError } from '../record-error.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_DURATION_MS,
  ATTR_HTTP_METHOD,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_STATUS_CODE,
  ATTR_HTTP_URL,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '../semconv.js';
import { redactUrl } from './redact.js';
import { parentNotSampled } from './sampled.js';

/**
 * CLIENT spans for every `fetch` (and undici) request of the process, from undici's
 * `diagnostics_channel` events: `undici:request:create` starts the span and injects the trace
 * headers, `undici:request:headers` records the status, `undici:request:trailers` ends it when
 * the body is complete, `undici:request:error` records the failure and ends it. Requests made by `TracedHttpClient` run with tracing suppressed and are skipped, so
 * each request has exactly one client span.
 */

interface UndiciRequest {
  method: string;
  origin: string;
  path: string;
  addHeader(name: string, value: string): unknown;
}

const TRACER_NAME = 'autobot.fetch';
const spans = new WeakMap<UndiciRequest, { span: Span; started: number }>();
let subscribed = false;

function injectInto(request: UndiciRequest, ctx: Context): void {
  const headers: Record<string, string> = {};
  propagation.inject(ctx, headers);
  for (const name in headers) request.addHeader(name, headers[name] as string);
}

/** Subscribe to undici's request channels once per process. */
export function instrumentFetch(): boolean {
  if (subscribed) return true;
  const tracer = trace.getTracer(TRACER_NAME);
  diagnostics.subscribe('undici:request:create', (message) => {
    const { request } = message as { request: UndiciRequest };
    const active = context.active();
    if (isTracingSuppressed(active)) return;
    try {
      if (parentNotSampled(active)) {
        // No span would be recorded: pass the unsampled context on as is, so the callee
        // continues the trace unsampled, and skip building the span.
        injectInto(request, active);
        return;
      }
      const url = redactUrl(`${request.origin}${request.path}`);
      const origin = new URL(request.origin);
      const span = tracer.startSpan(
        `HTTP ${request.method}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [ATTR_HTTP_METHOD]: request.method,
            [ATTR_HTTP_REQUEST_METHOD]: request.method,
            [ATTR_HTTP_URL]: url,
            [ATTR_URL_FULL]: url,
            [ATTR_SERVER_ADDRESS]: origin.hostname,
            [ATTR_SERVER_PORT]: Number(origin.port) || (origin.protocol === 'https:' ? 443 : 80),
          },
        },
        active,
      );
      injectInto(request, trace.setSpan(active, span));
      spans.set(request, { span, started: performance.now() });
    } catch {
      // a request we cannot trace still goes out untouched
    }
  });
  diagnostics.subscribe('undici:request:headers', (message) => {
    const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
    const span = spans.get(request)?.span;
    if (!span) return;
    span.setAttribute(ATTR_HTTP_STATUS_CODE, response.statusCode);
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
    if (response.statusCode >= 400) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${response.statusCode}` });
      span.setAttribute(ATTR_ERROR_TYPE, String(response.statusCode));
    }
  });
  // The span covers the response body too (a streamed LLM answer lasts long after the headers),
  // as the official undici instrumentation does: it ends when the body is complete or fails.
  diagnostics.subscribe('undici:request:trailers', (message) => {
    const { request } = message as { request: UndiciRequest };
    const entry = spans.get(request);
    if (!entry) return;
    spans.delete(request);
    entry.span.setAttribute(ATTR_HTTP_DURATION_MS, performance.now() - entry.started);
    entry.span.end();
  });
  diagnostics.subscribe('undici:request:error', (message) => {
    const { request, error } = message as { request: UndiciRequest; error: unknown };
    const entry = spans.get(request);
    if (!entry) return;
    spans.delete(request);
    recordError(entry.span, error);
    entry.span.setAttribute(ATTR_HTTP_DURATION_MS, performance.now() - entry.started);
    entry.span.end();
  });
  subscribed = true;
  return true;
}
