import { context } from '@opentelemetry/api';
import { type CallState, createCallState, runWithCall } from './call-state.js';
import { type Env, type LlmConfig, type LlmOptions, resolveLlmConfig } from './config.js';
import { LlmConfigError, type LlmProviderError } from './errors.js';
import { InferenceRecorder, type InferenceStart } from './inference-span.js';
import { type PriceTable, resolvePriceTable } from './pricing.js';
import type { CallPhase, ProviderAdapter } from './providers/adapter.js';
import { OllamaAdapter } from './providers/ollama.js';
import { OpenAiAdapter } from './providers/openai.js';
import { ATTR_LLM_EMBED_INPUTS } from './semconv.js';
import { TracedStream } from './traced-stream.js';
import type {
  ChatChunk,
  ChatRequest,
  ChatResponse,
  ChatStream,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
} from './types.js';

function validateChat(request: ChatRequest): void {
  if (!request || !Array.isArray(request.messages))
    throw new LlmConfigError('chat() needs messages: an array');
  for (const m of request.messages) {
    if (!m || typeof m.content !== 'string' || typeof m.role !== 'string') {
      throw new LlmConfigError('each message needs a string role and a string content');
    }
  }
  if (request.temperature !== undefined && !Number.isFinite(request.temperature)) {
    throw new LlmConfigError('temperature must be a finite number');
  }
  if (request.maxTokens !== undefined && !(Number.isInteger(request.maxTokens) && request.maxTokens > 0)) {
    throw new LlmConfigError('maxTokens must be a positive integer');
  }
}

/**
 * The LLM interface: one provider selected by configuration, every call traced as one
 * `llm.inference` span (kind CLIENT). Errors are {@link LlmProviderError}s, recorded on the
 * span and thrown as the same object.
 */
export class LlmClient {
  readonly config: LlmConfig;
  readonly #adapter: ProviderAdapter;
  readonly #prices: PriceTable;

  constructor(options: LlmOptions = {}, env: Env = process.env) {
    this.config = resolveLlmConfig(options, env);
    this.#prices = resolvePriceTable(env, options.logger);
    this.#adapter =
      this.config.provider === 'openai'
        ? new OpenAiAdapter({
            baseUrl: this.config.openaiBaseUrl,
            apiKey: this.config.openaiApiKey,
            maxRetries: this.config.maxRetries,
            timeoutMs: this.config.timeoutMs,
          })
        : new OllamaAdapter(this.config.ollamaUrl);
  }

  /** `ollama` or `openai`. */
  get provider(): 'ollama' | 'openai' {
    return this.#adapter.name;
  }

  /**
   * A chat completion: the whole {@link ChatResponse}, or with `stream: true` a
   * {@link ChatStream} of chunks (resolved once the server started answering).
   * @throws LlmConfigError for malformed input; rejects with LlmProviderError otherwise.
   */
  chat(request: ChatRequest & { stream: true }): Promise<ChatStream>;
  chat(request: ChatRequest & { stream?: false }): Promise<ChatResponse>;
  chat(request: ChatRequest): Promise<ChatResponse | ChatStream>;
  async chat(request: ChatRequest): Promise<ChatResponse | ChatStream> {
    validateChat(request);
    const resolved = {
      model: request.model ?? this.config.model,
      messages: request.messages,
      temperature: request.temperature,
      maxTokens: request.maxTokens,
    };
    const start = this.#start('chat', resolved.model, request.stream === true, resolved);
    if (request.stream) {
      return this.#streamed(start, request.signal, (call) => this.#adapter.stream(resolved, call));
    }
    return this.#whole(start, request.signal, (call) => this.#adapter.complete(resolved, call));
  }

  /**
   * Ollama's prompt-completion API (`/api/generate`), traced like {@link chat} with
   * `gen_ai.operation.name = text_completion`. Only for the `ollama` provider.
   */
  generate(request: GenerateRequest & { stream: true }): Promise<ChatStream>;
  generate(request: GenerateRequest & { stream?: false }): Promise<ChatResponse>;
  async generate(request: GenerateRequest): Promise<ChatResponse | ChatStream> {
    const adapter = this.#adapter;
    if (!(adapter instanceof OllamaAdapter)) throw new LlmConfigError('generate() needs the ollama provider');
    if (!request || typeof request.prompt !== 'string')
      throw new LlmConfigError('generate() needs a string prompt');
    const resolved = { ...request, model: request.model ?? this.config.model };
    const messages = [
      ...(request.system === undefined ? [] : [{ role: 'system' as const, content: request.system }]),
      { role: 'user' as const, content: request.prompt },
    ];
    const start = this.#start('text_completion', resolved.model, request.stream === true, {
      messages,
      temperature: request.temperature,
      maxTokens: request.maxTokens,
    });
    if (request.stream) {
      return this.#streamed(start, request.signal, () => adapter.generateStream(resolved));
    }
    return this.#whole(start, request.signal, () => adapter.generate(resolved));
  }

  /** Embedding vectors, one per input, traced as `llm.inference` with operation `embeddings`. */
  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    const input = typeof request?.input === 'string' ? [request.input] : request?.input;
    if (!Array.isArray(input) || !input.every((i) => typeof i === 'string')) {
      throw new LlmConfigError('embed() needs input: a string or an array of strings');
    }
    const model = request.model ?? this.config.embedModel;
    const start = this.#start('embeddings', model, false, {});
    start.extra = { [ATTR_LLM_EMBED_INPUTS]: input.length };
    const recorder = new InferenceRecorder(start);
    const call = createCallState(request.signal, this.config.timeoutMs);
    call.onRetry = (attempt, status) => recorder.retry(attempt, status);
    try {
      const response = await context.with(recorder.context, () =>
        runWithCall(call, () => this.#adapter.embed(model, input, call)),
      );
      const tokens = response.promptTokens ?? 0;
      recorder.succeed({
        model: response.model,
        usage: { promptTokens: tokens, completionTokens: 0, totalTokens: tokens },
      });
      return response;
    } catch (error) {
      throw this.#failed(recorder, error, 'request', call);
    } finally {
      call.dispose();
    }
  }

  #start(
    operation: InferenceStart['operation'],
    model: string,
    streaming: boolean,
    request: Pick<InferenceStart, 'messages' | 'temperature' | 'maxTokens'>,
  ): InferenceStart {
    return {
      provider: this.#adapter.name,
      operation,
      model,
      streaming,
      ...request,
      serverAddress: this.#adapter.serverAddress,
      serverPort: this.#adapter.serverPort,
      captureContent: this.config.captureContent,
      contentMaxChars: this.config.contentMaxChars,
      prices: this.#prices,
    };
  }

  async #whole(
    start: InferenceStart,
    signal: AbortSignal | undefined,
    run: (call: CallState) => Promise<ChatResponse>,
  ): Promise<ChatResponse> {
    const recorder = new InferenceRecorder(start);
    const call = createCallState(signal, this.config.timeoutMs);
    call.onRetry = (attempt, status) => recorder.retry(attempt, status);
    try {
      const response = await context.with(recorder.context, () => runWithCall(call, () => run(call)));
      recorder.succeed(response);
      return response;
    } catch (error) {
      throw this.#failed(recorder, error, 'request', call);
    } finally {
      call.dispose();
    }
  }

  async #streamed(
    start: InferenceStart,
    signal: AbortSignal | undefined,
    open: (call: CallState) => Promise<AsyncIterator<ChatChunk>>,
  ): Promise<ChatStream> {
    const recorder = new InferenceRecorder(start);
    const call = createCallState(signal, this.config.timeoutMs);
    call.onRetry = (attempt, status) => recorder.retry(attempt, status);
    let inner: AsyncIterator<ChatChunk>;
    try {
      inner = await context.with(recorder.context, () => runWithCall(call, () => open(call)));
    } catch (error) {
      call.dispose();
      throw this.#failed(recorder, error, 'request', call);
    }
    return new TracedStream(inner, recorder, call, (error) => this.#adapter.mapError(error, 'stream', call));
  }

  #failed(recorder: InferenceRecorder, error: unknown, phase: CallPhase, call: CallState): LlmProviderError {
    const mapped = this.#adapter.mapError(error, phase, call);
    recorder.fail(mapped);
    return mapped;
  }
}

/** Creates the configured {@link LlmClient} (options ?? environment ?? defaults). */
export function createLlmClient(options: LlmOptions = {}, env: Env = process.env): LlmClient {
  return new LlmClient(options, env);
}
