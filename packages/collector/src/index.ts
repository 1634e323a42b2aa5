export { toJaegerTrace } from './api/jaeger-format.js';
export type {
  JaegerLog,
  JaegerProcess,
  JaegerReference,
  JaegerSpan,
  JaegerTag,
  JaegerTrace,
} from './api/jaeger-types.js';
export { toOtlpJson } from './api/otlp-json.js';
export type { CollectorOptions, RunningCollector } from './collector.js';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_QUERY_TIMEOUT_MS, startCollector } from './collector.js';
export { COLLECTOR_ERRORS, type CollectorErrorCode } from './error-codes.js';
export {
  CollectorError,
  CollectorUnreachableError,
  InvalidOptionError,
  InvalidParameterError,
  InvalidPayloadError,
  PayloadTooLargeError,
  QueryFailedError,
  QuerySyntaxError,
  QueryTimeoutError,
  RegexTooLongError,
  RegexUnsupportedError,
  StoreVersionError,
  UnsupportedMediaTypeError,
} from './errors.js';
export type { IngestStats } from './ingest.js';
export type {
  LlmCallSummary,
  LlmConversationSummary,
  LlmConversationTrace,
  LlmSummary,
  LlmTraceTotals,
  RedSummary,
} from './metrics/summaries.js';
export type {
  Attributes,
  AttrValue,
  DecodedBatch,
  ResourceInfo,
  ScopeInfo,
  SpanEvent,
  SpanGroup,
  SpanInput,
  SpanLink,
  StoredSpan,
  TraceSummary,
} from './model.js';
export type { DecodeLimits } from './otlp/decode-common.js';
export { DEFAULT_DECODE_LIMITS } from './otlp/decode-common.js';
export { decodeJsonRequest } from './otlp/decode-json.js';
export { decodeProtobufRequest } from './otlp/decode-protobuf.js';
export type { CompareOp, Comparison, Field, Literal, QueryNode } from './query/ast.js';
export {
  MAX_REGEX_PATTERN_CHARS,
  MAX_REGEX_REPETITION,
  MAX_REGEX_SUBJECT_CHARS,
} from './query/linear-regex.js';
export { parseDurationUs, parseQuery } from './query/parser.js';
export {
  DEFAULT_QUERY_WORKERS,
  QUERY_WORKERS_ENV,
  resolveQueryWorkers,
  resolveSpanMetrics,
  SPAN_METRICS_ENV,
} from './serve-env.js';
export type { DependencyLink } from './store/dependencies.js';
export type {
  RetentionOptions,
  SearchRequest,
  StoreOptions,
  StoreStatus,
} from './store/store.js';
export { DEFAULT_DB_PATH, TraceStore } from './store/store.js';
