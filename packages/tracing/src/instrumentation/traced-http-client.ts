import { type Context, context, propagation, type Span, SpanKind, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { TracingConfigError } from '../errors.js';
import { recordError } from '../record-error.js';
import { ATTR_ERROR_TYPE, ATTR_HTTP_DURATION_MS } from '../semconv.js';
import { clientSpanAttributes, clientSpanName, recordClientStatus } from './client-span.js';
import {
  HttpAbortError,
  HttpConnectionError,
  HttpInvalidUrlError,
  HttpStatusError,
  HttpTimeoutError,
} from './http-errors.js';
import { redactUrl } from './redact.js';

const TRACER_NAME = 'autobot.http-client';
const ERROR_BODY_BYTES = 1024;

/** Options of a {@link TracedHttpClient}; each request may override `timeoutMs` and add headers. */
export interface TracedHttpClientOptions {
  /** Prefix for relative paths, e.g. `http://127.0.0.1:8001`. */
  baseUrl?: string;
  /** Default time allowed for a request, headers and body, in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/**
 * Options of one request. `timeoutMs` (default the client's) covers headers and body; `signal`
 * aborts with {@link HttpAbortError}. Per-request `headers` win over the client's.
 */
export interface RequestOptions {
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown;
  /** Raw body (ignored when `json` is given). */
  body?: RequestInit['body'];
  headers?: Record<string, string>;
  /** Appended to the URL's query string. */
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Throw `HttpStatusError` for non-2xx answers (default true). */
  throwOnStatus?: boolean;
}

/**
 * HTTP client on Node's `fetch` whose every call is one CLIENT span `HTTP {METHOD}` carrying the
 * spec's `http.*` attributes and the current semconv keys, with the trace context injected
 * (`traceparent`, `tracestate`, `b3`). Failures reject with {@link HttpTimeoutError},
 * {@link HttpStatusError}, {@link HttpConnectionError} or {@link HttpAbortError}, recorded on
 * the span first. The fetch itself runs with tracing suppressed, so an undici/fetch
 * instrumentation in the same process does not add a second client span.
 *
 * `await using client = new TracedHttpClient()` closes it at scope end; `close()` aborts
 * requests still in flight.
 */
export class TracedHttpClient implements AsyncDisposable {
  private readonly baseUrl: string | undefined;
  private readonly timeoutMs: number;
  private readonly defaultHeaders: Record<string, string>;
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(options: TracedHttpClientOptions = {}) {
    if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
      throw new TracingConfigError(
        `TracedHttpClient: timeoutMs must be a positive number, got ${options.timeoutMs}`,
      );
    }
    this.baseUrl = options.baseUrl;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.defaultHeaders = { ...options.headers };
  }

  /** GET and parse the JSON body. */
  getJson<T = unknown>(url: string, options?: RequestOptions): Promise<T> {
    return this.requestJson<T>('GET', url, options);
  }

  /** POST `json` and parse the JSON body. */
  postJson<T = unknown>(url: string, json: unknown, options?: RequestOptions): Promise<T> {
    return this.requestJson<T>('POST', url, { ...options, json });
  }

  get(url: string, options?: RequestOptions): Promise<Response> {
    return this.request('GET', url, options);
  }

  post(url: string, options?: RequestOptions): Promise<Response> {
    return this.request('POST', url, options);
  }

  put(url: string, options?: RequestOptions): Promise<Response> {
    return this.request('PUT', url, options);
  }

  delete(url: string, options?: RequestOptions): Promise<Response> {
    return this.request('DELETE', url, options);
  }

  /** Send a request and parse the JSON answer; the span covers the body read too. */
  async requestJson<T = unknown>(method: string, url: string, options: RequestOptions = {}): Promise<T> {
    return (await this.send(method, url, options, 'json')) as T;
  }

  /**
   * Send a request and return the `Response` once its headers arrived. Read (or cancel) the body
   * yourself, streams included: the span ends when the body is fully read, cancelled or broken.
   * The timeout, `close()` and `signal` cover the wait for the headers; the body is then yours to
   * read or cancel.
   */
  async request(method: string, url: string, options: RequestOptions = {}): Promise<Response> {
    return (await this.send(method, url, options, 'response')) as Response;
  }

  /** Abort every request still waiting for its answer; later calls reject with `HttpAbortError`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const controller of this.inFlight) controller.abort(new Error('TracedHttpClient closed'));
    this.inFlight.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async send(method: string, target: string, options: RequestOptions, read: 'json' | 'response') {
    method = method.toUpperCase();
    const url = this.resolve(method, target, options.query);
    const request = { method, url: redactUrl(url.href) };
    const { span, spanContext, started } = startClientSpan(method, url, request.url);
    const { headers, body } = outgoingMessage(
      url,
      { ...this.defaultHeaders, ...options.headers },
      options,
      spanContext,
    );
    const call = superviseCall({
      span,
      started,
      request,
      timeoutMs: options.timeoutMs ?? this.timeoutMs,
      callerSignal: options.signal,
      inFlight: this.inFlight,
    });

    try {
      if (this.closed || options.signal?.aborted) throw new HttpAbortError(request);
      const response = await context.with(suppressTracing(spanContext), () =>
        fetch(url, { method, headers, body, signal: call.signal }),
      );
      recordClientStatus(span, response.status);
      if (!response.ok && options.throwOnStatus !== false) {
        throw new HttpStatusError(request, response.status, await readSnippet(response));
      }
      if (read === 'response') {
        // The body is the caller's from here: the timeout, close() and the caller's signal covered
        // the wait for headers and are released now, so a body that is never read holds nothing
        // (its span simply never ends). The span does cover the body when it is read.
        call.release();
        return endWhenConsumed(response, call.finish, call.fail);
      }
      const text = await response.text();
      const parsed = text === '' ? undefined : JSON.parse(text);
      call.finish();
      return parsed;
    } catch (error) {
      throw call.fail(error);
    }
  }

  private resolve(method: string, target: string, query: RequestOptions['query']): URL {
    const absolute = /^https?:\/\//i.test(target);
    if (!absolute && !this.baseUrl) throw new HttpInvalidUrlError({ method, url: redactUrl(target) });
    // Join by hand: `new URL('/x', base)` would drop a path that `baseUrl` carries.
    const url = absolute
      ? new URL(target)
      : new URL(`${this.baseUrl?.replace(/\/+$/, '')}/${target.replace(/^\/+/, '')}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.append(key, String(value));
    }
    return url;
  }
}

/** Start the CLIENT span of one request; `started` is the clock reading its duration is measured from. */
function startClientSpan(method: string, url: URL, shownUrl: string) {
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const span = trace.getTracer(TRACER_NAME).startSpan(clientSpanName(method), {
    kind: SpanKind.CLIENT,
    attributes: clientSpanAttributes(method, shownUrl, url.hostname, port),
  });
  return { span, spanContext: trace.setSpan(context.active(), span), started: performance.now() };
}

/**
 * The headers and body actually sent: URL credentials moved to basic auth (fetch refuses URLs
 * with credentials; they never reach the URL or the span), the trace context injected, and
 * `json` serialised with its content type. Clears the credentials from `url`.
 */
function outgoingMessage(
  url: URL,
  headers: Record<string, string>,
  options: RequestOptions,
  spanContext: Context,
): { headers: Record<string, string>; body: RequestInit['body'] } {
  if (url.username || url.password) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization ??= `Basic ${Buffer.from(credentials).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  propagation.inject(spanContext, headers);
  if (options.json === undefined) return { headers, body: options.body };
  headers['content-type'] ??= 'application/json';
  return { headers, body: JSON.stringify(options.json) };
}

/** What {@link superviseCall} watches over. */
interface CallWatch {
  span: Span;
  started: number;
  request: { method: string; url: string };
  timeoutMs: number;
  callerSignal: AbortSignal | undefined;
  inFlight: Set<AbortController>;
}

/**
 * The deadline and abort wiring of one request, and the ways its span ends. `signal` aborts on
 * timeout, on the caller's signal and on `close()`; `release` drops the timer, the caller's
 * listener and the in-flight entry; `finish` releases and ends the span (once); `fail` records
 * the classified error, finishes, and returns that error for the caller to throw.
 */
function superviseCall({ span, started, request, timeoutMs, callerSignal, inFlight }: CallWatch) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('timeout'));
  }, timeoutMs);
  const onCallerAbort = () => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  inFlight.add(controller);
  const release = () => {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
    inFlight.delete(controller);
  };
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    release();
    span.setAttribute(ATTR_HTTP_DURATION_MS, performance.now() - started);
    span.end();
  };
  const fail = (error: unknown) => {
    const failure = classify(error, request, timedOut, controller.signal.aborted, timeoutMs);
    recordError(span, failure);
    if (failure instanceof HttpStatusError) span.setAttribute(ATTR_ERROR_TYPE, String(failure.status));
    finish();
    return failure;
  };
  return { signal: controller.signal, release, finish, fail };
}

/**
 * The same response, whose body calls `finish` once fully read or cancelled, and `fail` when it
 * breaks: a streamed answer keeps its client span open for as long as it streams.
 */
function endWhenConsumed(
  response: Response,
  finish: () => void,
  fail: (error: unknown) => unknown,
): Response {
  const source = response.body;
  if (source === null) {
    finish();
    return response;
  }
  const reader = source.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          finish();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        controller.error(fail(error));
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

function classify(
  error: unknown,
  request: { method: string; url: string },
  timedOut: boolean,
  aborted: boolean,
  timeoutMs: number,
) {
  if (error instanceof HttpStatusError || error instanceof HttpAbortError) return error;
  if (timedOut) return new HttpTimeoutError(request, timeoutMs, error);
  if (aborted) return new HttpAbortError(request, error);
  if (error instanceof SyntaxError) return error; // a body that is not JSON: the caller's concern, recorded as is
  return new HttpConnectionError(request, error);
}

async function readSnippet(response: Response): Promise<string> {
  try {
    const text = await response.text();
    return text.length > ERROR_BODY_BYTES ? `${text.slice(0, ERROR_BODY_BYTES)}…` : text;
  } catch {
    return '';
  }
}
