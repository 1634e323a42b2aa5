/** A chat message; only text content is supported. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
}

/** Input of {@link LlmClient.chat}. */
export interface ChatRequest {
  /** Model name; default the configured model. */
  model?: string;
  messages: readonly ChatMessage[];
  /** Sampling temperature (recorded on the span when given). */
  temperature?: number;
  /** Cap on completion tokens (`num_predict` for Ollama, `max_tokens` for OpenAI). */
  maxTokens?: number;
  /** `true` returns a {@link ChatStream}; default false returns a {@link ChatResponse}. */
  stream?: boolean;
  /** Aborts the call, or the stream while it is read. */
  signal?: AbortSignal;
}

/** Token usage as the server reported it. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Prompt tokens served from the provider's cache (OpenAI `prompt_tokens_details.cached_tokens`). */
  cachedInputTokens?: number;
  /** Completion tokens spent on reasoning (OpenAI `completion_tokens_details.reasoning_tokens`). */
  reasoningTokens?: number;
}

/** Ollama's server-side timings, converted from nanoseconds to milliseconds. */
export interface OllamaTimings {
  totalDurationMs: number;
  loadDurationMs: number;
  promptEvalDurationMs: number;
  evalDurationMs: number;
}

/** A whole chat completion. */
export interface ChatResponse {
  provider: string;
  /** Model that answered, as the server named it. */
  model: string;
  /** Completion id when the provider gives one (OpenAI). */
  id?: string;
  content: string;
  /** `stop`, `length`, … as the provider named it. */
  finishReason?: string;
  usage?: TokenUsage;
  /** Ollama only. */
  timings?: OllamaTimings;
}

/**
 * One streamed piece. Content chunks have `done: false`; the last chunk has `done: true`, empty
 * `content`, and carries what the server reported at the end (finish reason, usage, timings).
 */
export interface ChatChunk {
  content: string;
  done: boolean;
  model?: string;
  id?: string;
  finishReason?: string;
  usage?: TokenUsage;
  timings?: OllamaTimings;
}

/**
 * A streamed completion: iterate it once with `for await`. Breaking out of the loop, calling
 * `abort()` or aborting the request's `signal` stops the HTTP request and ends the span.
 */
export interface ChatStream extends AsyncIterable<ChatChunk> {
  /** Stops the stream; a pending or later read rejects with code `AUTOBOT_ERR_LLM_ABORTED`. */
  abort(): void;
}

/** Input of {@link LlmClient.embed}. */
export interface EmbedRequest {
  /** Model name; default the configured embedding model. */
  model?: string;
  input: string | readonly string[];
  signal?: AbortSignal;
}

/** Embedding vectors, one per input. */
export interface EmbedResponse {
  provider: string;
  model: string;
  embeddings: number[][];
  promptTokens?: number;
}

/** Input of {@link OllamaProvider.generate}: Ollama's prompt-completion API. */
export interface GenerateRequest {
  model?: string;
  prompt: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  stream?: boolean;
  signal?: AbortSignal;
}
