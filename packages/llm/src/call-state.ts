import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * State of one provider call, visible to the fetch wrapper through async context: the SDKs
 * call `fetch` from inside their own promise chains (retries included), so an
 * AsyncLocalStorage scope around the SDK call reaches every attempt without a client per call.
 */
export interface CallState {
  /** Aborts on caller abort, deadline, or internal stop (abandoned stream). */
  readonly signal: AbortSignal;
  /** The caller's own signal, to tell an abort from a timeout. */
  readonly userSignal: AbortSignal | undefined;
  /** True once the deadline fired. */
  timedOut: boolean;
  /** HTTP attempts made so far (retries = attempts - 1). */
  attempts: number;
  /** Status and headers of the latest response. */
  lastStatus: number | undefined;
  lastHeaders: Headers | undefined;
  /** Called before each attempt after the first (retry events). */
  onRetry: ((attempt: number, previousStatus: number | undefined) => void) | undefined;
  /** Stops the call (abandoned stream, `abort()`); idempotent. */
  stop(): void;
  /** Releases the deadline timer and listeners; idempotent. */
  dispose(): void;
}

const store = new AsyncLocalStorage<CallState>();

/** Creates the state of one call with its deadline. */
export function createCallState(userSignal: AbortSignal | undefined, timeoutMs: number): CallState {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    state.timedOut = true;
    controller.abort(new Error(`LLM call exceeded ${timeoutMs} ms`));
  }, timeoutMs);
  timer.unref?.();
  const onUserAbort = () => controller.abort(userSignal?.reason);
  if (userSignal?.aborted) onUserAbort();
  else userSignal?.addEventListener('abort', onUserAbort, { once: true });
  const state: CallState = {
    signal: controller.signal,
    userSignal,
    timedOut: false,
    attempts: 0,
    lastStatus: undefined,
    lastHeaders: undefined,
    onRetry: undefined,
    stop: () => controller.abort(new Error('LLM call stopped by its consumer')),
    dispose: () => {
      clearTimeout(timer);
      userSignal?.removeEventListener('abort', onUserAbort);
    },
  };
  return state;
}

/** Runs `fn` with `state` visible to {@link callFetch}. */
export function runWithCall<T>(state: CallState, fn: () => T): T {
  return store.run(state, fn);
}

/**
 * The `fetch` given to the SDK clients: adds the call's signal to every request (the Ollama
 * client passes none on non-streamed calls), counts attempts and keeps the last status/headers
 * (the Ollama client drops `Retry-After`). Outside a call it is plain `fetch`.
 */
export const callFetch: typeof fetch = async (input, init) => {
  const call = store.getStore();
  if (!call) return fetch(input, init);
  call.attempts++;
  if (call.attempts > 1) {
    try {
      call.onRetry?.(call.attempts - 1, call.lastStatus);
    } catch {
      // Recording a retry must never fail the request.
    }
  }
  const signal = init?.signal ? AbortSignal.any([init.signal, call.signal]) : call.signal;
  const response = await fetch(input, { ...init, signal });
  call.lastStatus = response.status;
  call.lastHeaders = response.headers;
  return response;
};
