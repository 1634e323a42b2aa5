export type { Env, LlmConfig, LlmLogger, LlmOptions, ProviderName } from './config.js';
export { resolveLlmConfig } from './config.js';
export { TRUNCATION_MARKER } from './content.js';
export type { LlmErrorCode, LlmProviderErrorDetails } from './errors.js';
export { LLM_ERROR_CODES, LlmConfigError, LlmProviderError } from './errors.js';
export { TRACER_NAME } from './inference-span.js';
export { createLlmClient, LlmClient } from './llm-client.js';
export type { ModelPrice, PriceTable } from './pricing.js';
export {
  bundledPriceTable,
  estimateCostUsd,
  findPrice,
  priceTableProblem,
  resolvePriceTable,
} from './pricing.js';
export {
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_LLM_CHUNK_COUNT,
  ATTR_LLM_COST_USD,
  ATTR_LLM_DECODE_TOKENS_PER_SECOND,
  ATTR_LLM_EMBED_INPUTS,
  ATTR_LLM_ERROR_CODE,
  ATTR_LLM_EVAL_DURATION_MS,
  ATTR_LLM_LOAD_DURATION_MS,
  ATTR_LLM_OVERHEAD_MS,
  ATTR_LLM_PREFILL_TOKENS_PER_SECOND,
  ATTR_LLM_PRICE_TABLE_VERSION,
  ATTR_LLM_PROMPT_EVAL_DURATION_MS,
  ATTR_LLM_STREAM_ABANDONED,
  ATTR_LLM_TOTAL_DURATION_MS,
  EVENT_LLM_FIRST_CHUNK,
  EVENT_LLM_RETRY,
} from './semconv.js';
export type {
  ChatChunk,
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ChatStream,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  OllamaTimings,
  TokenUsage,
} from './types.js';
