/**
 * Coded errors of the collector. Codes are stable strings (`AUTOBOT_ERR_COLLECTOR_*`), never reused;
 * tests and callers assert on `code`, never on message text.
 */
export class CollectorError extends Error {
  /** Stable error code. */
  readonly code: string;
  /** HTTP status this error maps to when it answers a request. */
  readonly statusCode: number;

  constructor(code: string, message: string, statusCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CollectorError';
    this.code = code;
    this.statusCode = statusCode;
  }
}

/** The request body could not be decoded (malformed protobuf/JSON, bad gzip, bad ids). HTTP 400. */
export class InvalidPayloadError extends CollectorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AUTOBOT_ERR_COLLECTOR_INVALID_PAYLOAD', message, 400, options);
    this.name = 'InvalidPayloadError';
  }
}

/** The body (compressed or decompressed) exceeds the configured limit. HTTP 413. */
export class PayloadTooLargeError extends CollectorError {
  constructor(message: string) {
    super('AUTOBOT_ERR_COLLECTOR_PAYLOAD_TOO_LARGE', message, 413);
    this.name = 'PayloadTooLargeError';
  }
}

/** The content type is neither protobuf nor JSON. HTTP 415. */
export class UnsupportedMediaTypeError extends CollectorError {
  constructor(message: string) {
    super('AUTOBOT_ERR_COLLECTOR_UNSUPPORTED_MEDIA_TYPE', message, 415);
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** A query expression does not parse. Carries the 1-based column and what the parser expected. HTTP 400. */
export class QuerySyntaxError extends CollectorError {
  readonly column: number;
  readonly expected: string;

  constructor(message: string, column: number, expected: string) {
    super('AUTOBOT_ERR_COLLECTOR_QUERY_SYNTAX', message, 400);
    this.name = 'QuerySyntaxError';
    this.column = column;
    this.expected = expected;
  }
}

/** A query parameter (time, duration, limit, tags) is invalid. HTTP 400. */
export class InvalidParameterError extends CollectorError {
  constructor(message: string) {
    super('AUTOBOT_ERR_COLLECTOR_INVALID_PARAMETER', message, 400);
    this.name = 'InvalidParameterError';
  }
}

/** An option passed to `startCollector`/`openStore` in code is invalid (programmer error). */
export class InvalidOptionError extends CollectorError {
  constructor(message: string) {
    super('AUTOBOT_ERR_COLLECTOR_INVALID_OPTION', message, 500);
    this.name = 'InvalidOptionError';
  }
}

/**
 * The database file was written by a newer build (its schema version is higher than this build
 * reads). Thrown by `TraceStore.open`; the file is left untouched.
 */
export class StoreVersionError extends CollectorError {
  constructor(message: string) {
    super('AUTOBOT_ERR_COLLECTOR_STORE_VERSION', message, 500);
    this.name = 'StoreVersionError';
  }
}
