import { COLLECTOR_ERRORS, type CollectorErrorCode } from './error-codes.js';

/**
 * Coded errors of the collector. Codes are stable strings (`AUTOBOT_ERR_COLLECTOR_*`), never reused;
 * tests and callers assert on `code`, never on message text. Each code and its HTTP status come
 * from the registry {@link COLLECTOR_ERRORS}: a code that is not registered does not compile.
 */
export class CollectorError extends Error {
  /** Stable error code. */
  readonly code: CollectorErrorCode;
  /** HTTP status this error maps to when it answers a request: the code's status in the registry. */
  readonly statusCode: number;

  constructor(code: CollectorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CollectorError';
    this.code = code;
    this.statusCode = COLLECTOR_ERRORS[code].status;
  }

  /** Extra fields for the HTTP error body (besides `code`, `msg` and `errorCode`). */
  details(): Record<string, unknown> {
    return {};
  }
}

/** The request body could not be decoded (malformed protobuf/JSON, bad gzip, bad ids). HTTP 400. */
export class InvalidPayloadError extends CollectorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AUTOBOT_ERR_COLLECTOR_INVALID_PAYLOAD', message, options);
    this.name = 'InvalidPayloadError';
  }
}

/** The body (compressed or decompressed) exceeds the configured limit. HTTP 413. */
export class PayloadTooLargeError extends CollectorError {
  constructor(message: string) {
    super('AUTOBOT_ERR_COLLECTOR_PAYLOAD_TOO_LARGE', message);
    this.name = 'PayloadTooLargeError';
  }
}

/** The content type is neither protobuf nor JSON. HTTP 415. */
export class UnsupportedMediaTypeError extends CollectorError {
  constructor(message: string) {
    super('AUTOBOT_ERR_COLLECTOR_UNSUPPORTED_MEDIA_TYPE', message);
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** A query expression does not parse. Carries the 1-based column and what the parser expected. HTTP 400. */
export class QuerySyntaxError extends CollectorError {
  readonly column: number;
  readonly expected: string;

  constructor(message: string, column: number, expected: string) {
    super('AUTOBOT_ERR_COLLECTOR_QUERY_SYNTAX', message);
    this.name = 'QuerySyntaxError';
    this.column = column;
    this.expected = expected;
  }

  override details(): Record<string, unknown> {
    return { column: this.column, expected: this.expected };
  }
}

/**
 * A `=~`/`!~` pattern uses a construct the linear-time regex engine cannot run (backreference,
 * lookaround, large counted repetition). `construct` names it; `column` is 1-based. HTTP 400.
 */
export class RegexUnsupportedError extends CollectorError {
  readonly column: number;
  readonly construct: string;

  constructor(message: string, column: number, construct: string) {
    super('AUTOBOT_ERR_COLLECTOR_QUERY_REGEX_UNSUPPORTED', message);
    this.name = 'RegexUnsupportedError';
    this.column = column;
    this.construct = construct;
  }

  override details(): Record<string, unknown> {
    return { column: this.column, construct: this.construct };
  }
}

/** A `=~`/`!~` pattern is longer than the limit (1024 characters). HTTP 400. */
export class RegexTooLongError extends CollectorError {
  readonly column: number;

  constructor(message: string, column: number) {
    super('AUTOBOT_ERR_COLLECTOR_QUERY_REGEX_TOO_LONG', message);
    this.name = 'RegexTooLongError';
    this.column = column;
  }

  override details(): Record<string, unknown> {
    return { column: this.column };
  }
}

/**
 * A search ran past the query time budget (`--query-timeout-ms`) and was stopped. HTTP 503: the
 * request was valid, the server declined to spend more on it.
 */
export class QueryTimeoutError extends CollectorError {
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(
      'AUTOBOT_ERR_COLLECTOR_QUERY_TIMEOUT',
      `query exceeded its time budget of ${timeoutMs} ms and was stopped; narrow it (time window, service, fewer regexes) or raise --query-timeout-ms`,
    );
    this.name = 'QueryTimeoutError';
    this.timeoutMs = timeoutMs;
  }

  override details(): Record<string, unknown> {
    return { timeoutMs: this.timeoutMs };
  }
}

/** The search worker failed (database unreadable, worker crashed). HTTP 500. */
export class QueryFailedError extends CollectorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AUTOBOT_ERR_COLLECTOR_QUERY_FAILED', message, options);
    this.name = 'QueryFailedError';
  }
}

/** A query parameter (time, duration, limit, tags) is invalid. HTTP 400. */
export class InvalidParameterError extends CollectorError {
  constructor(message: string) {
    super('AUTOBOT_ERR_COLLECTOR_INVALID_PARAMETER', message);
    this.name = 'InvalidParameterError';
  }
}

/** An option passed to `startCollector`/`openStore` in code is invalid (programmer error). */
export class InvalidOptionError extends CollectorError {
  constructor(message: string) {
    super('AUTOBOT_ERR_COLLECTOR_INVALID_OPTION', message);
    this.name = 'InvalidOptionError';
  }
}

/**
 * The database file was written by a newer build (its schema version is higher than this build
 * reads). Thrown by `TraceStore.open`; the file is left untouched.
 */
export class StoreVersionError extends CollectorError {
  constructor(message: string) {
    super('AUTOBOT_ERR_COLLECTOR_STORE_VERSION', message);
    this.name = 'StoreVersionError';
  }
}

/**
 * `startCollector` was asked to listen on an address other machines can reach without write and
 * read credentials (and without `insecure: true`). Thrown before any port is bound.
 */
export class UnprotectedBindError extends CollectorError {
  constructor(message: string) {
    super('AUTOBOT_ERR_COLLECTOR_UNPROTECTED_BIND', message);
    this.name = 'UnprotectedBindError';
  }
}

/**
 * The CLI client (`autobot-trace query`, `show`, `services`) could not connect to the query API:
 * refused, DNS, TLS or a 30 s timeout. The message names the origin (never the path, query or
 * token) and the socket error; `cause` is the fetch error.
 */
export class CollectorUnreachableError extends CollectorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AUTOBOT_ERR_COLLECTOR_UNREACHABLE', message, options);
    this.name = 'CollectorUnreachableError';
  }
}
