import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, recordError } from '@autobot/tracing';
import { type Attributes, type Context, context, type Span, SpanKind, trace } from '@opentelemetry/api';
import { captureMessages } from './content.js';
import type { LlmProviderError } from './errors.js';
import { estimateCostUsd, findPrice, type PriceTable } from './pricing.js';
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_LLM_CHUNK_COUNT,
  ATTR_LLM_COMPLETION_TOKENS,
  ATTR_LLM_COST_USD,
  ATTR_LLM_DECODE_TOKENS_PER_SECOND,
  ATTR_LLM_DURATION_MS,
  ATTR_LLM_ERROR_CODE,
  ATTR_LLM_EVAL_DURATION_MS,
  ATTR_LLM_FINISH_REASON,
  ATTR_LLM_LOAD_DURATION_MS,
  ATTR_LLM_MODEL,
  ATTR_LLM_OVERHEAD_MS,
  ATTR_LLM_PREFILL_TOKENS_PER_SECOND,
  ATTR_LLM_PRICE_TABLE_VERSION,
  ATTR_LLM_PROMPT_EVAL_DURATION_MS,
  ATTR_LLM_PROMPT_MESSAGES,
  ATTR_LLM_PROMPT_TOKENS,
  ATTR_LLM_PROVIDER,
  ATTR_LLM_RESPONSE_LENGTH,
  ATTR_LLM_RETRY_COUNT,
  ATTR_LLM_STREAM_ABANDONED,
  ATTR_LLM_STREAMING,
  ATTR_LLM_TEMPERATURE,
  ATTR_LLM_TIME_TO_FIRST_CHUNK_MS,
  ATTR_LLM_TOTAL_DURATION_MS,
  ATTR_LLM_TOTAL_TOKENS,
  EVENT_LLM_FIRST_CHUNK,
  EVENT_LLM_RETRY,
  SPAN_LLM_INFERENCE,
} from './semconv.js';
import type { ChatChunk, ChatMessage, ChatResponse, OllamaTimings, TokenUsage } from './types.js';

/**
 * Ollama's server timings as attributes: load (model load), prompt eval (prefill), eval (decode),
 * total, and prefill/decode speeds in tokens per second (only when both count and time are > 0).
 */
function timingAttributes(t: OllamaTimings, usage: TokenUsage | undefined): Attributes {
  const a: Attributes = {
    [ATTR_LLM_LOAD_DURATION_MS]: t.loadDurationMs,
    [ATTR_LLM_PROMPT_EVAL_DURATION_MS]: t.promptEvalDurationMs,
    [ATTR_LLM_EVAL_DURATION_MS]: t.evalDurationMs,
    [ATTR_LLM_TOTAL_DURATION_MS]: t.totalDurationMs,
  };
  if (usage && usage.promptTokens > 0 && t.promptEvalDurationMs > 0) {
    a[ATTR_LLM_PREFILL_TOKENS_PER_SECOND] = usage.promptTokens / (t.promptEvalDurationMs / 1000);
  }
  if (usage && usage.completionTokens > 0 && t.evalDurationMs > 0) {
    a[ATTR_LLM_DECODE_TOKENS_PER_SECOND] = usage.completionTokens / (t.evalDurationMs / 1000);
  }
  return a;
}

/** Name of the tracer every `llm.inference` span comes from. */
export const TRACER_NAME = 'autobot.llm';

/** What the span needs to know about a call before it starts. */
export interface InferenceStart {
  provider: string;
  operation: 'chat' | 'text_completion' | 'embeddings';
  model: string;
  streaming: boolean;
  messages?: readonly ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  serverAddress: string;
  serverPort: number;
  captureContent: boolean;
  contentMaxChars: number;
  extra?: Attributes;
  /** Prices for `llm.cost_usd`; omitted = no cost recorded. */
  prices?: PriceTable;
}

/**
 * The lifecycle of one `llm.inference` span (kind CLIENT). It ends exactly once, through
 * {@link succeed}, {@link fail} or {@link abandon}; later calls are no-ops. No method throws.
 */
export class InferenceRecorder {
  readonly span: Span;
  /** Context with the span active, for the HTTP request (so client spans nest under it). */
  readonly context: Context;
  #ended = false;
  readonly #start = performance.now();
  readonly #capture: boolean;
  readonly #maxChars: number;
  #firstChunkMs: number | undefined;
  #chunks = 0;
  #text: string[] = [];
  #length = 0;
  #retries = 0;
  readonly #provider: string;
  readonly #model: string;
  readonly #prices: PriceTable | undefined;
  /** Ollama's `total_duration` (ms) when reported, for the queue/network share at the end. */
  #serverMs: number | undefined;

  constructor(start: InferenceStart) {
    this.#provider = start.provider;
    this.#model = start.model;
    this.#prices = start.prices;
    this.#capture = start.captureContent;
    this.#maxChars = start.contentMaxChars;
    const attributes: Attributes = {
      [ATTR_LLM_PROVIDER]: start.provider,
      [ATTR_LLM_MODEL]: start.model,
      [ATTR_LLM_STREAMING]: start.streaming,
      [ATTR_GEN_AI_OPERATION_NAME]: start.operation,
      [ATTR_GEN_AI_PROVIDER_NAME]: start.provider,
      [ATTR_GEN_AI_REQUEST_MODEL]: start.model,
      [ATTR_SERVER_ADDRESS]: start.serverAddress,
      [ATTR_SERVER_PORT]: start.serverPort,
      ...start.extra,
    };
    if (start.messages) attributes[ATTR_LLM_PROMPT_MESSAGES] = start.messages.length;
    if (start.temperature !== undefined) {
      attributes[ATTR_LLM_TEMPERATURE] = start.temperature;
      attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = start.temperature;
    }
    if (start.maxTokens !== undefined) attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = start.maxTokens;
    if (start.captureContent && start.messages) {
      attributes[ATTR_GEN_AI_INPUT_MESSAGES] = captureMessages(start.messages, start.contentMaxChars);
    }
    const parent = context.active();
    this.span = trace
      .getTracer(TRACER_NAME)
      .startSpan(SPAN_LLM_INFERENCE, { kind: SpanKind.CLIENT, attributes }, parent);
    this.context = trace.setSpan(parent, this.span);
  }

  /** Whether the span has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Records one SDK retry (attempt ≥ 1) as an event; the count lands on the span at the end. */
  retry(attempt: number, previousStatus: number | undefined): void {
    this.#guard(() => {
      this.#retries = attempt;
      this.span.addEvent(EVENT_LLM_RETRY, {
        'llm.retry.attempt': attempt,
        ...(previousStatus === undefined ? {} : { 'http.response.status_code': previousStatus }),
      });
    });
  }

  /** Notes a streamed chunk: time to first content chunk (attribute + event), length, text. */
  chunk(chunk: ChatChunk): void {
    this.#guard(() => {
      if (!chunk.content) return;
      this.#chunks++;
      this.#length += chunk.content.length;
      if (this.#capture) this.#text.push(chunk.content);
      if (this.#firstChunkMs === undefined) {
        this.#firstChunkMs = performance.now() - this.#start;
        this.span.setAttribute(ATTR_LLM_TIME_TO_FIRST_CHUNK_MS, this.#firstChunkMs);
        this.span.setAttribute(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, this.#firstChunkMs / 1000);
        this.span.addEvent(EVENT_LLM_FIRST_CHUNK, { [ATTR_LLM_TIME_TO_FIRST_CHUNK_MS]: this.#firstChunkMs });
      }
    });
  }

  /** Ends the span OK with what the server reported (for streams: the final chunk's data). */
  succeed(result: Partial<ChatResponse> & { embeddingsTokens?: number }): void {
    if (this.#ended) return;
    this.#guard(() => {
      if (result.content !== undefined && this.#chunks === 0) {
        this.#length = result.content.length;
        if (this.#capture) this.#text = [result.content];
      }
      const attributes: Attributes = {};
      if (result.model) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = result.model;
      if (result.id) attributes[ATTR_GEN_AI_RESPONSE_ID] = result.id;
      if (result.finishReason) {
        attributes[ATTR_LLM_FINISH_REASON] = result.finishReason;
        attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [result.finishReason];
      }
      if (result.usage) {
        attributes[ATTR_LLM_PROMPT_TOKENS] = result.usage.promptTokens;
        attributes[ATTR_LLM_COMPLETION_TOKENS] = result.usage.completionTokens;
        attributes[ATTR_LLM_TOTAL_TOKENS] = result.usage.totalTokens;
        attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = result.usage.promptTokens;
        attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = result.usage.completionTokens;
        if (result.usage.cachedInputTokens !== undefined) {
          attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = result.usage.cachedInputTokens;
        }
        if (result.usage.reasoningTokens !== undefined) {
          attributes[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = result.usage.reasoningTokens;
        }
      }
      if (result.timings) Object.assign(attributes, timingAttributes(result.timings, result.usage));
      if (result.timings?.totalDurationMs) this.#serverMs = result.timings.totalDurationMs;
      const price = this.#prices && findPrice(this.#prices, this.#provider, result.model || this.#model);
      if (price && this.#prices && (result.usage || result.timings)) {
        attributes[ATTR_LLM_COST_USD] = estimateCostUsd(price, result.usage, result.timings);
        attributes[ATTR_LLM_PRICE_TABLE_VERSION] = this.#prices.version;
      }
      if (this.#capture && result.content !== undefined) {
        attributes[ATTR_GEN_AI_OUTPUT_MESSAGES] = captureMessages(
          [{ role: 'assistant', content: this.#text.join(''), finishReason: result.finishReason }],
          this.#maxChars,
        );
      }
      this.span.setAttributes(attributes);
    });
    this.#end();
  }

  /** Ends the span with status ERROR via the shared `recordError`. */
  fail(error: LlmProviderError): void {
    if (this.#ended) return;
    this.#guard(() => {
      this.span.setAttribute(ATTR_LLM_ERROR_CODE, error.code);
      recordError(this.span, error);
    });
    this.#end();
  }

  /** Ends the span of a stream its consumer stopped reading: not an error, marked abandoned. */
  abandon(): void {
    if (this.#ended) return;
    this.#guard(() => this.span.setAttribute(ATTR_LLM_STREAM_ABANDONED, true));
    this.#end();
  }

  #end(): void {
    this.#ended = true;
    this.#guard(() => {
      const durationMs = performance.now() - this.#start;
      if (this.#serverMs !== undefined) {
        this.span.setAttribute(ATTR_LLM_OVERHEAD_MS, Math.max(0, durationMs - this.#serverMs));
      }
      this.span.setAttributes({
        [ATTR_LLM_DURATION_MS]: durationMs,
        [ATTR_LLM_RESPONSE_LENGTH]: this.#length,
        [ATTR_LLM_RETRY_COUNT]: this.#retries,
      });
      if (this.#chunks > 0) this.span.setAttribute(ATTR_LLM_CHUNK_COUNT, this.#chunks);
    });
    this.#guard(() => this.span.end());
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch {
      // Tracing never breaks the traced call.
    }
  }
}
