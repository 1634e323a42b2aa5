import { TracingError } from '../errors.js';

/**
 * Errors of `TracedHttpClient`, one class per failure mode, each with a stable `code`
 * (assert on `code`, not on messages) and the underlying `cause`. All are `TracingError`s.
 */
export class HttpRequestError extends TracingError {
  /** Method and redacted URL of the failed request. */
  readonly method: string;
  readonly url: string;
  constructor(code: string, message: string, request: { method: string; url: string }, cause?: unknown) {
    super(code, message, cause === undefined ? undefined : { cause });
    this.method = request.method;
    this.url = request.url;
  }
}

/** A relative URL was given to a client that has no `baseUrl` (a programmer error). */
export class HttpInvalidUrlError extends HttpRequestError {
  constructor(request: { method: string; url: string }) {
    super(
      'AUTOBOT_ERR_HTTP_INVALID_URL',
      `${request.method} ${request.url}: a relative URL needs a baseUrl`,
      request,
    );
  }
}

/** No response within the timeout. */
export class HttpTimeoutError extends HttpRequestError {
  readonly timeoutMs: number;
  constructor(request: { method: string; url: string }, timeoutMs: number, cause?: unknown) {
    super(
      'AUTOBOT_ERR_HTTP_TIMEOUT',
      `${request.method} ${request.url} timed out after ${timeoutMs} ms`,
      request,
      cause,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** The server answered with a status outside 2xx. `body` holds the first KiB of the response. */
export class HttpStatusError extends HttpRequestError {
  readonly status: number;
  readonly body: string;
  constructor(request: { method: string; url: string }, status: number, body: string) {
    super('AUTOBOT_ERR_HTTP_STATUS', `${request.method} ${request.url} answered ${status}`, request);
    this.status = status;
    this.body = body;
  }
}

/** The connection could not be made or broke (refused, reset, DNS failure, TLS error). */
export class HttpConnectionError extends HttpRequestError {
  /** The system error code when there is one, e.g. `ECONNREFUSED`. */
  readonly systemCode: string | undefined;
  constructor(request: { method: string; url: string }, cause: unknown) {
    const systemCode = findSystemCode(cause);
    super(
      'AUTOBOT_ERR_HTTP_CONNECTION',
      `${request.method} ${request.url} failed to connect${systemCode ? ` (${systemCode})` : ''}`,
      request,
      cause,
    );
    this.systemCode = systemCode;
  }
}

/** The request was aborted by the caller's signal or by `close()`. */
export class HttpAbortError extends HttpRequestError {
  constructor(request: { method: string; url: string }, cause?: unknown) {
    super('AUTOBOT_ERR_HTTP_ABORTED', `${request.method} ${request.url} was aborted`, request, cause);
  }
}

/** fetch wraps system errors in `TypeError: fetch failed` with the real error as `cause`. */
function findSystemCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
