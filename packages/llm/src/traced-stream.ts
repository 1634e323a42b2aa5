import type { CallState } from './call-state.js';
import { LlmConfigError, type LlmProviderError } from './errors.js';
import type { InferenceRecorder } from './inference-span.js';
import type { ChatChunk, ChatStream } from './types.js';

/**
 * Wraps a provider's chunk iterator so the `llm.inference` span ends exactly once:
 * - the final (`done`) chunk ends it OK before the chunk is handed out, so a consumer that
 *   breaks right after the final chunk does not count as abandoning;
 * - an error while reading ends it ERROR and the same `LlmProviderError` is thrown;
 * - the call's signal (caller abort or deadline) ends it ERROR at once, even if nobody is
 *   reading, and the next read throws that error;
 * - `return()` (a `break` out of `for await`) ends it as abandoned and stops the HTTP request.
 */
export class TracedStream implements ChatStream, AsyncIterableIterator<ChatChunk> {
  #terminal: LlmProviderError | undefined;
  #iterated = false;
  readonly #onAbort: () => void;

  constructor(
    private readonly inner: AsyncIterator<ChatChunk>,
    private readonly recorder: InferenceRecorder,
    private readonly call: CallState,
    private readonly mapError: (error: unknown) => LlmProviderError,
  ) {
    this.#onAbort = () => {
      if (this.recorder.ended) return;
      this.#terminal = this.mapError(this.call.signal.reason);
      this.recorder.fail(this.#terminal);
      this.call.dispose();
    };
    if (call.signal.aborted) this.#onAbort();
    else call.signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  [Symbol.asyncIterator](): this {
    // Iterating twice would silently split the chunks between two loops.
    if (this.#iterated) throw new LlmConfigError('a ChatStream can be iterated only once');
    this.#iterated = true;
    return this;
  }

  abort(): void {
    this.call.stop();
  }

  async next(): Promise<IteratorResult<ChatChunk>> {
    if (this.#terminal) throw this.#terminal;
    if (this.recorder.ended) return { done: true, value: undefined };
    let result: IteratorResult<ChatChunk>;
    try {
      result = await this.inner.next();
    } catch (error) {
      const mapped = this.#terminal ?? this.mapError(error);
      this.#finish(() => this.recorder.fail(mapped));
      throw mapped;
    }
    if (this.#terminal) throw this.#terminal;
    if (result.done) {
      // The provider adapters always yield a final `done` chunk; ending without one is a break.
      const mapped = this.mapError(new Error('stream ended without a final chunk'));
      this.#finish(() => this.recorder.fail(mapped));
      throw mapped;
    }
    const chunk = result.value;
    this.recorder.chunk(chunk);
    if (chunk.done) this.#finish(() => this.recorder.succeed(chunk));
    return { done: false, value: chunk };
  }

  async return(): Promise<IteratorResult<ChatChunk>> {
    if (!this.recorder.ended) {
      this.#finish(() => this.recorder.abandon());
      this.call.stop();
      try {
        await this.inner.return?.();
      } catch {
        // The request is being torn down; its errors are not the consumer's concern.
      }
    }
    return { done: true, value: undefined };
  }

  #finish(end: () => void): void {
    this.call.signal.removeEventListener('abort', this.#onAbort);
    end();
    this.call.dispose();
  }
}
