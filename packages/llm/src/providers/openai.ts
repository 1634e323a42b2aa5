import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { type CallState, callFetch } from '../call-state.js';
import { codeForStatus, LLM_ERROR_CODES, LlmProviderError, retryAfterMsFrom } from '../errors.js';
import type { ChatChunk, ChatResponse, EmbedResponse, TokenUsage } from '../types.js';
import {
  type CallPhase,
  decidedError,
  fallbackError,
  type ProviderAdapter,
  type ResolvedChat,
  serverOf,
} from './adapter.js';

/** Settings of {@link OpenAiAdapter}. */
export interface OpenAiAdapterOptions {
  baseUrl: string;
  apiKey: string | undefined;
  maxRetries: number;
  timeoutMs: number;
}

function usageOf(usage: OpenAI.CompletionUsage | null | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
    // Only when the server reports them (OpenAI does; many compatible servers do not).
    ...(usage.prompt_tokens_details?.cached_tokens === undefined
      ? {}
      : { cachedInputTokens: usage.prompt_tokens_details.cached_tokens }),
    ...(usage.completion_tokens_details?.reasoning_tokens === undefined
      ? {}
      : { reasoningTokens: usage.completion_tokens_details.reasoning_tokens }),
  };
}

/**
 * The OpenAI chat-completions API (and any compatible server: Ollama's `/v1`, vLLM, the dev
 * model) through the official `openai` client. SDK retries run inside the caller's span; the
 * shared fetch wrapper counts them.
 */
export class OpenAiAdapter implements ProviderAdapter {
  readonly name = 'openai' as const;
  readonly serverAddress: string;
  readonly serverPort: number;
  readonly #client: OpenAI;

  constructor(options: OpenAiAdapterOptions) {
    const server = serverOf(options.baseUrl);
    this.serverAddress = server.address;
    this.serverPort = server.port;
    this.#client = new OpenAI({
      baseURL: options.baseUrl,
      // Compatible servers (Ollama, the dev model) need no key; the SDK insists on one, and the
      // real API answers a placeholder with 401, which maps to AUTOBOT_ERR_LLM_AUTH.
      apiKey: options.apiKey ?? 'no-api-key-configured',
      maxRetries: options.maxRetries,
      timeout: options.timeoutMs,
      fetch: callFetch,
    });
  }

  #params(request: ResolvedChat) {
    return {
      model: request.model,
      messages: request.messages.map((m) => ({
        role: m.role,
        content: m.content,
      })) as OpenAI.ChatCompletionMessageParam[],
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
    };
  }

  async complete(request: ResolvedChat, call: CallState): Promise<ChatResponse> {
    const response = await this.#client.chat.completions.create(
      { ...this.#params(request), stream: false },
      { signal: call.signal },
    );
    const choice = response.choices[0];
    return {
      provider: this.name,
      model: response.model,
      id: response.id,
      content: choice?.message?.content ?? '',
      finishReason: choice?.finish_reason ?? undefined,
      usage: usageOf(response.usage),
    };
  }

  async stream(request: ResolvedChat, call: CallState): Promise<AsyncIterator<ChatChunk>> {
    const stream = await this.#client.chat.completions.create(
      // Ask for the final usage chunk so token counts are never lost on streams.
      { ...this.#params(request), stream: true, stream_options: { include_usage: true } },
      { signal: call.signal },
    );
    return normalizeStream(stream[Symbol.asyncIterator](), call);
  }

  async embed(model: string, input: readonly string[], call: CallState): Promise<EmbedResponse> {
    const response = await this.#client.embeddings.create(
      { model, input: [...input] },
      { signal: call.signal },
    );
    return {
      provider: this.name,
      model: response.model,
      embeddings: response.data.map((d) => d.embedding),
      promptTokens: response.usage?.prompt_tokens,
    };
  }

  mapError(error: unknown, phase: CallPhase, call: CallState): LlmProviderError {
    const provider = this.name;
    const decided = decidedError(error, provider, call);
    if (decided) return decided;
    if (error instanceof APIConnectionTimeoutError) {
      return new LlmProviderError(LLM_ERROR_CODES.TIMEOUT, 'OpenAI request timed out', {
        provider,
        cause: error,
      });
    }
    if (error instanceof APIUserAbortError) {
      return new LlmProviderError(LLM_ERROR_CODES.ABORTED, 'LLM call aborted', { provider, cause: error });
    }
    if (error instanceof APIConnectionError) {
      return new LlmProviderError(
        phase === 'stream' ? LLM_ERROR_CODES.STREAM_BROKEN : LLM_ERROR_CODES.CONNECTION,
        `cannot reach the OpenAI API at ${this.serverAddress}:${this.serverPort}`,
        { provider, cause: error },
      );
    }
    if (error instanceof APIError && typeof error.status === 'number') {
      const code = codeForStatus(error.status);
      return new LlmProviderError(code, `OpenAI API answered ${error.status}: ${error.message}`, {
        provider,
        status: error.status,
        cause: error,
        retryAfterMs:
          code === LLM_ERROR_CODES.RATE_LIMITED ? retryAfterMsFrom(error.headers ?? undefined) : undefined,
      });
    }
    // A `data: {"error": …}` event (APIError without status), a dropped connection, bad JSON.
    return fallbackError(error, phase, {
      provider,
      label: 'OpenAI',
      unreachable: 'cannot reach the OpenAI API',
    });
  }
}

/**
 * SDK chunks → {@link ChatChunk}s, ending with one `done` chunk that carries the finish reason
 * and the usage chunk's counts. The SDK ends a stream silently when it is aborted, and a
 * server may close without a finish reason: both surface as errors here, never as success.
 */
function normalizeStream(
  source: AsyncIterator<OpenAI.ChatCompletionChunk>,
  call: CallState,
): AsyncIterator<ChatChunk> {
  let finishReason: string | undefined;
  let usage: TokenUsage | undefined;
  let model: string | undefined;
  let id: string | undefined;
  let finished = false;
  return {
    async next(): Promise<IteratorResult<ChatChunk>> {
      while (!finished) {
        const result = await source.next();
        if (result.done) {
          finished = true;
          // Both throws are signals, not answers: the traced stream passes them to mapError (phase
          // 'stream'), which turns them into AUTOBOT_ERR_LLM_ABORTED / _TIMEOUT and _STREAM_BROKEN.
          if (call.signal.aborted) throw call.signal.reason ?? new Error('aborted');
          if (!finishReason) throw new Error('stream ended without a finish reason');
          return { done: false, value: { content: '', done: true, model, id, finishReason, usage } };
        }
        const chunk = result.value;
        model = chunk.model || model;
        id = chunk.id || id;
        if (chunk.usage) usage = usageOf(chunk.usage);
        const choice = chunk.choices[0];
        if (choice?.finish_reason) finishReason = choice.finish_reason;
        const content = choice?.delta?.content;
        if (content) return { done: false, value: { content, done: false, model, id } };
      }
      return { done: true, value: undefined };
    },
    async return(): Promise<IteratorResult<ChatChunk>> {
      finished = true;
      await source.return?.();
      return { done: true, value: undefined };
    },
  };
}
