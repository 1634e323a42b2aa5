/**
 * Every `AUTOBOT_ERR_COLLECTOR_*` code: code → HTTP status → meaning, as fastify's `lib/errors.js`
 * keeps one registry (and pki its `SSH_ERROR_CODES`). Codes are literal strings grep finds, never
 * reused. The README's "Error codes" table is checked against this object in both directions
 * (`test/error-codes.test.ts`), and so is every code literal in `src/`. Codes thrown at start-up
 * (options, store version, bind) or by the CLI client (unreachable) never answer a request; their
 * status is the error's `statusCode`.
 */
export const COLLECTOR_ERRORS = Object.freeze({
  AUTOBOT_ERR_COLLECTOR_INVALID_PAYLOAD: {
    status: 400,
    meaning: 'an OTLP body could not be decoded (malformed protobuf/JSON, bad gzip, bad ids)',
  },
  AUTOBOT_ERR_COLLECTOR_PAYLOAD_TOO_LARGE: {
    status: 413,
    meaning: 'an OTLP body (compressed or decompressed) is over `--max-body`',
  },
  AUTOBOT_ERR_COLLECTOR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    meaning: 'an OTLP body is neither protobuf nor JSON',
  },
  AUTOBOT_ERR_COLLECTOR_QUERY_SYNTAX: {
    status: 400,
    meaning: 'a query expression does not parse; with `column` and `expected`',
  },
  AUTOBOT_ERR_COLLECTOR_INVALID_PARAMETER: {
    status: 400,
    meaning: 'a query parameter (time, duration, limit, tags, window) is invalid',
  },
  AUTOBOT_ERR_COLLECTOR_QUERY_REGEX_UNSUPPORTED: {
    status: 400,
    meaning: 'a `=~`/`!~` pattern needs backtracking; with `column` and `construct`',
  },
  AUTOBOT_ERR_COLLECTOR_QUERY_REGEX_TOO_LONG: {
    status: 400,
    meaning: 'a `=~`/`!~` pattern is over 1024 characters; with `column`',
  },
  AUTOBOT_ERR_COLLECTOR_QUERY_TIMEOUT: {
    status: 503,
    meaning: 'a search ran past `--query-timeout-ms` and was stopped; with `timeoutMs`',
  },
  AUTOBOT_ERR_COLLECTOR_QUERY_FAILED: {
    status: 500,
    meaning: 'the search worker failed (database unreadable, worker crashed)',
  },
  AUTOBOT_ERR_COLLECTOR_UNAUTHENTICATED: {
    status: 401,
    meaning: 'missing or wrong read token (or session) on the query port',
  },
  AUTOBOT_ERR_COLLECTOR_INTERNAL: {
    status: 500,
    meaning: 'any other failure of the query API',
  },
  AUTOBOT_ERR_COLLECTOR_INVALID_OPTION: {
    status: 500,
    meaning: 'thrown by `startCollector` / `TraceStore.open` for an invalid option in code',
  },
  AUTOBOT_ERR_COLLECTOR_STORE_VERSION: {
    status: 500,
    meaning: 'thrown by `TraceStore.open`: the database was written by a newer build (left untouched)',
  },
  AUTOBOT_ERR_COLLECTOR_UNPROTECTED_BIND: {
    status: 500,
    meaning: 'thrown by `startCollector`: a non-loopback host without write and read credentials',
  },
  AUTOBOT_ERR_COLLECTOR_UNREACHABLE: {
    status: 502,
    meaning: 'thrown by the CLI client (`query`, `show`, `services`): no connection to the query API',
  },
} as const);

/** One of the collector's error codes. */
export type CollectorErrorCode = keyof typeof COLLECTOR_ERRORS;
