import type { CallState } from '../call-state.js';
import { LLM_ERROR_CODES, LlmProviderError } from '../errors.js';
import type { ChatChunk, ChatMessage, ChatResponse, EmbedResponse } from '../types.js';

/** A chat request after defaults are applied. */
export interface ResolvedChat {
  model: string;
  messages: readonly ChatMessage[];
  temperature?: number;
  maxTokens?: number;
}

/** Where a failure happened: before the response arrived, or while reading a stream. */
export type CallPhase = 'request' | 'stream';

/**
 * The untraced part of a provider: raw client calls normalized to this package's types, and
 * the provider's errors mapped to {@link LlmProviderError}. Tracing lives in `LlmClient`, once.
 */
export interface ProviderAdapter {
  readonly name: 'ollama' | 'openai';
  readonly serverAddress: string;
  readonly serverPort: number;
  /** Whole completion. */
  complete(request: ResolvedChat, call: CallState): Promise<ChatResponse>;
  /** Resolves once the response has started; the iterator ends with one `done` chunk. */
  stream(request: ResolvedChat, call: CallState): Promise<AsyncIterator<ChatChunk>>;
  embed(model: string, input: readonly string[], call: CallState): Promise<EmbedResponse>;
  mapError(error: unknown, phase: CallPhase, call: CallState): LlmProviderError;
}

/** `server.address` / `server.port` of a base URL (credentials never included). */
export function serverOf(baseUrl: string): { address: string; port: number } {
  const url = new URL(baseUrl);
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { address: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/**
 * The error for a call ended by its signal (deadline or caller), or `undefined` when the
 * signal did not fire. Checked first by every mapper: an abort surfaces in many shapes.
 */
export function abortError(provider: string, call: CallState): LlmProviderError | undefined {
  if (!call.signal.aborted) return undefined;
  if (call.timedOut) {
    return new LlmProviderError(LLM_ERROR_CODES.TIMEOUT, 'LLM call timed out', {
      provider,
      cause: call.signal.reason,
    });
  }
  return new LlmProviderError(LLM_ERROR_CODES.ABORTED, 'LLM call aborted', {
    provider,
    cause: call.signal.reason,
  });
}

/**
 * What every mapper checks first: a call ended by its signal ({@link abortError}), then an error
 * that already is an {@link LlmProviderError}. `undefined` leaves the error to the provider.
 */
export function decidedError(
  error: unknown,
  provider: string,
  call: CallState,
): LlmProviderError | undefined {
  return abortError(provider, call) ?? (error instanceof LlmProviderError ? error : undefined);
}

/**
 * What every mapper ends with, once the provider's own error shapes are handled: in the stream
 * phase `STREAM_BROKEN` (an error event or line, a dropped connection, bad JSON, a stream that
 * ended without its last chunk); before a response `CONNECTION` when the network failed
 * (`unreachable` is the message), else `SERVER`. `label` names the provider in messages.
 */
export function fallbackError(
  error: unknown,
  phase: CallPhase,
  names: { provider: string; label: string; unreachable: string },
): LlmProviderError {
  const { provider, label } = names;
  const message = error instanceof Error ? error.message : String(error);
  if (phase === 'stream') {
    return new LlmProviderError(LLM_ERROR_CODES.STREAM_BROKEN, `${label} stream broke off: ${message}`, {
      provider,
      cause: error,
    });
  }
  if (isConnectionFailure(error)) {
    return new LlmProviderError(LLM_ERROR_CODES.CONNECTION, names.unreachable, { provider, cause: error });
  }
  return new LlmProviderError(LLM_ERROR_CODES.SERVER, `${label} call failed: ${message}`, {
    provider,
    cause: error,
  });
}

/** Whether an error is a network failure before any response (fetch's `TypeError: fetch failed`). */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return (
    (error.name === 'TypeError' && /fetch failed/i.test(error.message)) ||
    (typeof code === 'string' &&
      /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|UND_ERR_SOCKET)$/.test(code))
  );
}

/** Ollama reports nanoseconds; spans and callers get milliseconds. */
export function nsToMs(ns: number | undefined): number {
  return typeof ns === 'number' && Number.isFinite(ns) ? ns / 1e6 : 0;
}
