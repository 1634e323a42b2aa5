/**
 * The one way both HTTP clients (the `fetch` instrumentation and `TracedHttpClient`) describe a
 * CLIENT span: its name, attributes and what a response status means.
 */
import { type Attributes, type Span, SpanStatusCode } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_METHOD,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_STATUS_CODE,
  ATTR_HTTP_URL,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '../semconv.js';

/** `HTTP {METHOD}`: client spans are named by method only (the URL is an attribute). */
export function clientSpanName(method: string): string {
  return `HTTP ${method}`;
}

/**
 * Start attributes of a client span: the spec's `http.method`/`http.url` beside the current
 * semconv keys. `redactedUrl` must already be redacted (no credentials, no secret query values).
 */
export function clientSpanAttributes(
  method: string,
  redactedUrl: string,
  address: string,
  port: number,
): Attributes {
  return {
    [ATTR_HTTP_METHOD]: method,
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_HTTP_URL]: redactedUrl,
    [ATTR_URL_FULL]: redactedUrl,
    [ATTR_SERVER_ADDRESS]: address,
    [ATTR_SERVER_PORT]: port,
  };
}

/**
 * Records the response status on a client span. OpenTelemetry's HTTP conventions ("Status" of
 * HTTP client spans): a client span is an error for every 4xx and 5xx answer, with `error.type`
 * set to the status code; a server span only for 5xx (see fastify.ts).
 */
export function recordClientStatus(span: Span, status: number): void {
  span.setAttribute(ATTR_HTTP_STATUS_CODE, status);
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (status >= 400) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
    span.setAttribute(ATTR_ERROR_TYPE, String(status));
  }
}
