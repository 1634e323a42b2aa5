export type { B3Fields, B3Hint, B3InjectMode, B3SamplingState } from './b3.js';
export { B3Propagator, getB3Hint, parseB3Multi, parseB3Single } from './b3.js';
export { B3AwareSampler } from './b3-sampler.js';
export type { ExportCompression, ExportProtocol, TracingConfig, TracingOptions } from './config.js';
export { DEFAULT_ENDPOINT, resolveTracingConfig } from './config.js';
export type { Env, EnvSource, Parsed, Parser } from './env.js';
export {
  EnvReader,
  integerInRange,
  numberInRange,
  oneOf,
  parseBoolean,
  parseHttpUrl,
  parseText,
  resolveLayers,
} from './env.js';
export { TracingConfigError, TracingError } from './errors.js';
export type { ExportStats } from './export-stats.js';
export type { HeaderCarrier } from './headers.js';
export { bindContext, bindEmitter } from './instrumentation/bind-context.js';
export type { ServerTracingOptions } from './instrumentation/fastify.js';
export { DEFAULT_EXCLUDED_PATHS, instrumentFastify } from './instrumentation/fastify.js';
export { instrumentFetch } from './instrumentation/fetch.js';
export {
  HttpAbortError,
  HttpConnectionError,
  HttpInvalidUrlError,
  HttpRequestError,
  HttpStatusError,
  HttpTimeoutError,
} from './instrumentation/http-errors.js';
export type { InstrumentAllOptions, InstrumentationResult } from './instrumentation/instrument-all.js';
export { instrumentAll } from './instrumentation/instrument-all.js';
export { REDACTED, redactUrl } from './instrumentation/redact.js';
export type { RedisTracingOptions } from './instrumentation/redis.js';
export { instrumentRedis, redisStatement } from './instrumentation/redis.js';
export type { RequestOptions, TracedHttpClientOptions } from './instrumentation/traced-http-client.js';
export { TracedHttpClient } from './instrumentation/traced-http-client.js';
export type { TracingLogger } from './logger.js';
export { setTracingLogger, warnOnce } from './logger.js';
export { OtlpCredentials, resolveOtlpCredentials } from './otlp-credentials.js';
export type { PropagatorOptions } from './propagation.js';
export { createPropagator } from './propagation.js';
export { createSampler } from './provider.js';
export { RandomTraceFlagTracer, RandomTraceFlagTracerProvider } from './random-trace-flag.js';
export { errorTypeOf, recordError } from './record-error.js';
export {
  ATTR_CLIENT_ADDRESS,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_BATCH_SIZE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
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
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from './semconv.js';
export { checkSpanName, isConventionalSpanName } from './span-names.js';
export { isValidTraceStateKey, isValidTraceStateValue, W3CTraceState } from './tracestate.js';
export { getTracingService, TracingService } from './tracing-service.js';
export type { Traceparent } from './w3c-trace-context.js';
export {
  FLAG_RANDOM,
  FLAG_SAMPLED,
  formatTraceparent,
  parseTraceparent,
  W3CTraceContextPropagator,
} from './w3c-trace-context.js';
