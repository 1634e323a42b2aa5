/**
 * Attribute keys this package records that `@autobot/tracing`'s semconv does not (yet) define.
 * Everything else comes from `@autobot/tracing`.
 */

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
