import { Ollama } from 'ollama';
import { type CallState, callFetch } from '../call-state.js';
import { codeForStatus, LLM_ERROR_CODES, LlmProviderError, retryAfterMsFrom } from '../errors.js';
import type { ChatChunk, ChatResponse, EmbedResponse, OllamaTimings } from '../types.js';
import {
  type CallPhase,
  decidedError,
  fallbackError,
  nsToMs,
  type ProviderAdapter,
  type ResolvedChat,
  serverOf,
} from './adapter.js';

/** The fields of Ollama's final chunk (chat and generate alike). */
interface OllamaFinal {
  model: string;
  done: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  total_duration?: number;
  load_duration?: number;
  prompt_eval_duration?: number;
  eval_duration?: number;
}

type OllamaPiece = OllamaFinal & { message?: { content?: string }; response?: string };

/** A prompt-completion request for Ollama's `/api/generate`. */
export interface ResolvedGenerate {
  model: string;
  prompt: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
}

function timingsOf(final: OllamaFinal): OllamaTimings {
  return {
    totalDurationMs: nsToMs(final.total_duration),
    loadDurationMs: nsToMs(final.load_duration),
    promptEvalDurationMs: nsToMs(final.prompt_eval_duration),
    evalDurationMs: nsToMs(final.eval_duration),
  };
}

function usageOf(final: OllamaFinal) {
  if (final.prompt_eval_count === undefined && final.eval_count === undefined) return undefined;
  const promptTokens = final.prompt_eval_count ?? 0;
  const completionTokens = final.eval_count ?? 0;
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

function textOf(piece: OllamaPiece): string {
  return piece.message?.content ?? piece.response ?? '';
}

function toChunk(piece: OllamaPiece): ChatChunk {
  if (!piece.done) return { content: textOf(piece), done: false, model: piece.model };
  return {
    // Ollama's final chunk may carry a last piece of text; hand it out too.
    content: textOf(piece),
    done: true,
    model: piece.model,
    finishReason: piece.done_reason,
    usage: usageOf(piece),
    timings: timingsOf(piece),
  };
}

/** Ollama through the official `ollama` client: `/api/chat`, `/api/generate`, `/api/embed`. */
export class OllamaAdapter implements ProviderAdapter {
  readonly name = 'ollama' as const;
  readonly serverAddress: string;
  readonly serverPort: number;
  readonly #client: Ollama;

  constructor(baseUrl: string) {
    const server = serverOf(baseUrl);
    this.serverAddress = server.address;
    this.serverPort = server.port;
    this.#client = new Ollama({ host: baseUrl, fetch: callFetch });
  }

  #options(request: { temperature?: number; maxTokens?: number }) {
    const options: { temperature?: number; num_predict?: number } = {};
    if (request.temperature !== undefined) options.temperature = request.temperature;
    if (request.maxTokens !== undefined) options.num_predict = request.maxTokens;
    return options;
  }

  async complete(request: ResolvedChat): Promise<ChatResponse> {
    const response = await this.#client.chat({
      model: request.model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      options: this.#options(request),
      stream: false,
    });
    return this.#toResponse(response);
  }

  async stream(request: ResolvedChat): Promise<AsyncIterator<ChatChunk>> {
    const iterable = await this.#client.chat({
      model: request.model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      options: this.#options(request),
      stream: true,
    });
    return mapIterator(iterable[Symbol.asyncIterator](), toChunk);
  }

  /** Ollama's `/api/generate`, whole. */
  async generate(request: ResolvedGenerate): Promise<ChatResponse> {
    const response = await this.#client.generate({
      model: request.model,
      prompt: request.prompt,
      ...(request.system === undefined ? {} : { system: request.system }),
      options: this.#options(request),
      stream: false,
    });
    return this.#toResponse(response);
  }

  /** Ollama's `/api/generate`, streamed. */
  async generateStream(request: ResolvedGenerate): Promise<AsyncIterator<ChatChunk>> {
    const iterable = await this.#client.generate({
      model: request.model,
      prompt: request.prompt,
      ...(request.system === undefined ? {} : { system: request.system }),
      options: this.#options(request),
      stream: true,
    });
    return mapIterator(iterable[Symbol.asyncIterator](), toChunk);
  }

  async embed(model: string, input: readonly string[]): Promise<EmbedResponse> {
    const response = await this.#client.embed({ model, input: [...input] });
    return {
      provider: this.name,
      model: response.model,
      embeddings: response.embeddings,
      promptTokens: response.prompt_eval_count,
    };
  }

  #toResponse(response: OllamaPiece): ChatResponse {
    return {
      provider: this.name,
      model: response.model,
      content: textOf(response),
      finishReason: response.done_reason,
      usage: usageOf(response),
      timings: timingsOf(response),
    };
  }

  mapError(error: unknown, phase: CallPhase, call: CallState): LlmProviderError {
    const provider = this.name;
    const decided = decidedError(error, provider, call);
    if (decided) return decided;
    const message = error instanceof Error ? error.message : String(error);
    const status = (error as { status_code?: unknown } | null)?.status_code;
    if (typeof status === 'number') {
      const code = codeForStatus(status);
      return new LlmProviderError(code, `Ollama answered ${status}: ${message}`, {
        provider,
        status,
        cause: error,
        retryAfterMs: code === LLM_ERROR_CODES.RATE_LIMITED ? retryAfterMsFrom(call.lastHeaders) : undefined,
      });
    }
    // An `{"error": …}` line, a dropped connection, or a stream that ended without `done`.
    return fallbackError(error, phase, {
      provider,
      label: 'Ollama',
      unreachable: `cannot reach Ollama at ${this.serverAddress}:${this.serverPort}`,
    });
  }
}

/** Maps each value of an iterator, forwarding `return` so a `break` reaches the source. */
export function mapIterator<T, U>(source: AsyncIterator<T>, map: (value: T) => U): AsyncIterator<U> {
  return {
    async next() {
      const result = await source.next();
      return result.done ? { done: true, value: undefined } : { done: false, value: map(result.value) };
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
  };
}
