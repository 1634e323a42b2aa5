import diagnostics from 'node:diagnostics_channel';
import { context, propagation, type Span, SpanKind, type TextMapSetter, trace } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { recordError } from '../record-error.js';
import { ATTR_HTTP_DURATION_MS } from '../semconv.js';
import { clientSpanAttributes, clientSpanName, recordClientStatus } from './client-span.js';
import { parentNotSampled, startInstrumentationSpan, unsampledSpan } from './fast-path.js';
import { redactUrl } from './redact.js';

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
const kSpan = Symbol('autobot.fetch.span');
type Traced = UndiciRequest & { [kSpan]?: { span: Span; started: number } };
let subscribed = false;

/** Writes each injected header straight onto the undici request: no intermediate object. */
const SETTER: TextMapSetter<UndiciRequest> = {
  set: (request, name, value) => {
    request.addHeader(name, value);
  },
};

interface OriginInfo {
  address: string;
  port: number;
  /** No credentials in the origin: `origin + path` is already the URL to record. */
  plain: boolean;
}

/** Parsed origins (scheme://host:port), computed once per origin; bounded. */
const origins = new Map<string, OriginInfo>();
const MAX_ORIGINS = 256;

function originInfo(origin: string): OriginInfo {
  let info = origins.get(origin);
  if (info === undefined) {
    const url = new URL(origin);
    info = {
      address: url.hostname,
      port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      plain: url.username === '' && url.password === '',
    };
    if (origins.size >= MAX_ORIGINS) origins.clear();
    origins.set(origin, info);
  }
  return info;
}

/** Subscribe to undici's request channels once per process. */
export function instrumentFetch(): boolean {
  if (subscribed) return true;
  const tracer = trace.getTracer(TRACER_NAME);
  diagnostics.subscribe('undici:request:create', (message) => {
    const { request } = message as { request: Traced };
    const active = context.active();
    if (isTracingSuppressed(active)) return;
    try {
      if (parentNotSampled(active)) {
        // No span would be recorded: pass the unsampled context on as is, so the callee
        // continues the trace unsampled, and skip building the span.
        propagation.inject(active, request, SETTER);
        return;
      }
      // A root the sampler will drop (rate 0, or failing the ratio test): ids only.
      const unsampled = unsampledSpan(active);
      if (unsampled !== undefined) {
        propagation.inject(trace.setSpan(active, unsampled), request, SETTER);
        return;
      }
      const { method, origin, path } = request;
      const info = originInfo(origin);
      // undici's path is already serialized by the WHATWG URL parser: only a query (secrets)
      // or credentials need the full redaction.
      const url = info.plain && !path.includes('?') ? `${origin}${path}` : redactUrl(`${origin}${path}`);
      const attributes = clientSpanAttributes(method, url, info.address, info.port);
      const name = clientSpanName(method);
      const span = startInstrumentationSpan(tracer, TRACER_NAME, name, SpanKind.CLIENT, attributes, active);
      propagation.inject(trace.setSpan(active, span), request, SETTER);
      if (span.isRecording()) request[kSpan] = { span, started: performance.now() };
    } catch {
      // a request we cannot trace still goes out untouched
    }
  });
  diagnostics.subscribe('undici:request:headers', (message) => {
    const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
    const span = (request as Traced)[kSpan]?.span;
    if (span) recordClientStatus(span, response.statusCode);
  });
  // The span covers the response body too (a streamed LLM answer lasts long after the headers),
  // as the official undici instrumentation does: it ends when the body is complete or fails.
  diagnostics.subscribe('undici:request:trailers', (message) => {
    const { request } = message as { request: UndiciRequest };
    const entry = (request as Traced)[kSpan];
    if (!entry) return;
    (request as Traced)[kSpan] = undefined;
    entry.span.setAttribute(ATTR_HTTP_DURATION_MS, performance.now() - entry.started);
    entry.span.end();
  });
  diagnostics.subscribe('undici:request:error', (message) => {
    const { request, error } = message as { request: UndiciRequest; error: unknown };
    const entry = (request as Traced)[kSpan];
    if (!entry) return;
    (request as Traced)[kSpan] = undefined;
    recordError(entry.span, error);
    entry.span.setAttribute(ATTR_HTTP_DURATION_MS, performance.now() - entry.started);
    entry.span.end();
  });
  subscribed = true;
  return true;
}
