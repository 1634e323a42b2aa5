export type { ExportCompression, ExportProtocol, TracingConfig, TracingOptions } from './config.js';
export { DEFAULT_ENDPOINT, resolveTracingConfig } from './config.js';
export type { Env, EnvSource, Parsed, Parser } from './env.js';
export {
  integerInRange,
  numberInRange,
  parseBoolean,
  parseHttpUrl,
  parseText,
  resolveLayers,
} from './env.js';
export { errorTypeOf, recordError } from './errors.js';
export type { ExportStats } from './export-stats.js';
export type { HeaderCarrier } from './headers.js';
export { bindContext, bindEmitter } from './instrumentation/bind-context.js';
export type { ServerTracingOptions } from './instrumentation/fastify.js';
export { DEFAULT_EXCLUDED_PATHS, instrumentFastify } from './instrumentation/fastify.js';
export { instrumentFetch } from './instrumentation/fetch.js';
export {
  HttpAbortError,
  HttpConnectionError,
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
export { setTracingLogger } from './logger.js';
export { createPropagator } from './propagation.js';
export { createSampler } from './provider.js';
export {
  ATTR_CLIENT_ADDRESS,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_BATCH_SIZE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_HTTP_DURATION_MS,
  ATTR_HTTP_METHOD,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_HTTP_STATUS_CODE,
  ATTR_HTTP_URL,
  ATTR_LLM_COMPLETION_TOKENS,
  ATTR_LLM_DURATION_MS,
  ATTR_LLM_FINISH_REASON,
  ATTR_LLM_MODEL,
  ATTR_LLM_PROMPT_MESSAGES,
  ATTR_LLM_PROMPT_TOKENS,
  ATTR_LLM_PROVIDER,
  ATTR_LLM_RESPONSE_LENGTH,
  ATTR_LLM_RETRY_COUNT,
  ATTR_LLM_STREAMING,
  ATTR_LLM_TEMPERATURE,
  ATTR_LLM_TIME_TO_FIRST_CHUNK_MS,
  ATTR_LLM_TOTAL_TOKENS,
  ATTR_PKI_NOT_AFTER,
  ATTR_PKI_OPERATION,
  ATTR_PKI_SERIAL,
  ATTR_PKI_SUBJECT,
  ATTR_REQUEST_ID,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SESSION_ID,
  ATTR_SSH_ERROR_TYPE,
  ATTR_SSH_FILES_COPIED,
  ATTR_SSH_TARGET_IP,
  ATTR_SSH_TARGET_VM,
  ATTR_SSH_USER,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  ATTR_USER_ID,
  SPAN_BROWSER_NAVIGATE,
  SPAN_LLM_INFERENCE,
  SPAN_NPU_INFERENCE,
  SPAN_PKI_ISSUE_CERTIFICATE,
  SPAN_SSH_DISTRIBUTE_CERTIFICATES,
} from './semconv.js';
export { checkSpanName, isConventionalSpanName } from './span-names.js';
export { TracingConfigError, TracingError } from './tracing-errors.js';
export { getTracingService, TracingService } from './tracing-service.js';
