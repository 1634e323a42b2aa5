/**
 * The attribute keys and span names of LLM calls, as typed constants: the spec's `llm.*` keys
 * (so `llm.duration_ms > 5000` works verbatim) beside the OpenTelemetry GenAI `gen_ai.*` keys.
 * HTTP and server keys (`server.address`, …) come from `@autobot/tracing`.
 */

// ── LLM (spec) ──────────────────────────────────────────────────────────────
export const ATTR_LLM_PROVIDER = 'llm.provider';
export const ATTR_LLM_MODEL = 'llm.model';
export const ATTR_LLM_STREAMING = 'llm.streaming';
export const ATTR_LLM_TEMPERATURE = 'llm.temperature';
export const ATTR_LLM_PROMPT_MESSAGES = 'llm.prompt_messages';
/** Wall time of the whole inference in milliseconds (float), stream included. */
export const ATTR_LLM_DURATION_MS = 'llm.duration_ms';
/** Length of the completion text in characters. */
export const ATTR_LLM_RESPONSE_LENGTH = 'llm.response_length';
export const ATTR_LLM_PROMPT_TOKENS = 'llm.prompt_tokens';
export const ATTR_LLM_COMPLETION_TOKENS = 'llm.completion_tokens';
export const ATTR_LLM_TOTAL_TOKENS = 'llm.total_tokens';
/** Time from request start to the first streamed chunk, in milliseconds. */
export const ATTR_LLM_TIME_TO_FIRST_CHUNK_MS = 'llm.time_to_first_chunk_ms';
export const ATTR_LLM_FINISH_REASON = 'llm.finish_reason';
/** Number of retries the provider SDK made inside this one inference. */
export const ATTR_LLM_RETRY_COUNT = 'llm.retry_count';

// ── LLM (OpenTelemetry gen_ai semconv) ──────────────────────────────────────
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
/** JSON text of the prompt messages; recorded only when content capture is enabled. */
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
/** JSON text of the completion messages; recorded only when content capture is enabled. */
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';

// ── Span names ───────────────────────────────────────────────────────────────
export const SPAN_LLM_INFERENCE = 'llm.inference';

/** OpenTelemetry GenAI: id of the completion as the provider reported it. */
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
/** OpenTelemetry GenAI: seconds from request start to the first streamed content chunk. */
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
/** Ollama: time the server spent loading the model, in milliseconds (from `load_duration` ns). */
export const ATTR_LLM_LOAD_DURATION_MS = 'llm.load_duration_ms';
/** True when the consumer stopped reading a stream before it ended (e.g. `break` in `for await`). */
export const ATTR_LLM_STREAM_ABANDONED = 'llm.stream_abandoned';
/** Number of streamed chunks that carried content. */
export const ATTR_LLM_CHUNK_COUNT = 'llm.chunk_count';
/** The `LlmProviderError` code of a failed call. */
export const ATTR_LLM_ERROR_CODE = 'llm.error_code';
/** Number of inputs of an embeddings call. */
export const ATTR_LLM_EMBED_INPUTS = 'llm.embed_inputs';

/** Span event at the first streamed content chunk. */
export const EVENT_LLM_FIRST_CHUNK = 'llm.first_chunk';
/** Span event for each SDK retry inside one inference. */
export const EVENT_LLM_RETRY = 'llm.retry';

// ── Usage details, server timings, cost ─────────────────────────────────────
/** OpenTelemetry GenAI: input tokens served from the provider's prompt cache (OpenAI `cached_tokens`). */
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
/** OpenTelemetry GenAI: output tokens spent on reasoning (OpenAI `reasoning_tokens`; part of output tokens). */
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
/** Ollama `total_duration`: the server's whole handling of the request, ms. */
export const ATTR_LLM_TOTAL_DURATION_MS = 'llm.total_duration_ms';
/** Ollama `prompt_eval_duration`: prompt processing (prefill), ms. */
export const ATTR_LLM_PROMPT_EVAL_DURATION_MS = 'llm.prompt_eval_duration_ms';
/** Ollama `eval_duration`: token generation (decode), ms. */
export const ATTR_LLM_EVAL_DURATION_MS = 'llm.eval_duration_ms';
/** Client wall time not spent in the server (`llm.duration_ms − llm.total_duration_ms`): queue and network, ms. */
export const ATTR_LLM_OVERHEAD_MS = 'llm.overhead_ms';
/** Prefill speed: `prompt_eval_count / prompt_eval_duration`, tokens per second. */
export const ATTR_LLM_PREFILL_TOKENS_PER_SECOND = 'llm.prefill_tokens_per_second';
/** Decode speed: `eval_count / eval_duration`, tokens per second. */
export const ATTR_LLM_DECODE_TOKENS_PER_SECOND = 'llm.decode_tokens_per_second';
/** Estimated cost of the call in US dollars, from the price table. */
export const ATTR_LLM_COST_USD = 'llm.cost_usd';
/** Version of the price table the cost was computed with. */
export const ATTR_LLM_PRICE_TABLE_VERSION = 'llm.price_table_version';
