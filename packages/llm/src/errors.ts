/** Stable codes of {@link LlmProviderError}; never reused for another meaning. */
export const LLM_ERROR_CODES = {
  /** The server could not be reached (refused, DNS, reset before a response). */
  CONNECTION: 'AUTOBOT_ERR_LLM_CONNECTION',
  /** The call exceeded its `timeoutMs`. */
  TIMEOUT: 'AUTOBOT_ERR_LLM_TIMEOUT',
  /** HTTP 429; `retryAfterMs` holds the server's hint when it sent one. */
  RATE_LIMITED: 'AUTOBOT_ERR_LLM_RATE_LIMITED',
  /** HTTP 400/422: the request was rejected as invalid. */
  BAD_REQUEST: 'AUTOBOT_ERR_LLM_BAD_REQUEST',
  /** The model does not exist on the server (HTTP 404). */
  MODEL_NOT_FOUND: 'AUTOBOT_ERR_LLM_MODEL_NOT_FOUND',
  /** HTTP 401/403: missing or wrong API key. */
  AUTH: 'AUTOBOT_ERR_LLM_AUTH',
  /** HTTP 5xx or another unexpected status. */
  SERVER: 'AUTOBOT_ERR_LLM_SERVER',
  /** A stream broke off after it started: error line, dropped connection, missing end. */
  STREAM_BROKEN: 'AUTOBOT_ERR_LLM_STREAM_BROKEN',
  /** The caller aborted the call through its `signal`. */
  ABORTED: 'AUTOBOT_ERR_LLM_ABORTED',
} as const;

/** One of {@link LLM_ERROR_CODES}. */
export type LlmErrorCode = (typeof LLM_ERROR_CODES)[keyof typeof LLM_ERROR_CODES];

/** Details of an {@link LlmProviderError}. */
export interface LlmProviderErrorDetails {
  provider: string;
  /** HTTP status when the server answered with one. */
  status?: number;
  /** For `RATE_LIMITED`: how long the server asked to wait, in milliseconds. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * The one error every provider call rejects with. Tests and callers branch on `code`; the
 * original client error is kept as `cause`. The same object is recorded on the `llm.inference`
 * span and thrown to the caller.
 */
export class LlmProviderError extends Error {
  override readonly name = 'LlmProviderError';
  readonly code: LlmErrorCode;
  readonly provider: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: LlmErrorCode, message: string, details: LlmProviderErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.provider = details.provider;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** A programmer error in options passed in code (bad provider name, negative timeout, …). */
export class LlmConfigError extends Error {
  override readonly name = 'LlmConfigError';
  readonly code = 'AUTOBOT_ERR_LLM_CONFIG';
}

/** The code for an HTTP error status. */
export function codeForStatus(status: number): LlmErrorCode {
  if (status === 429) return LLM_ERROR_CODES.RATE_LIMITED;
  if (status === 404) return LLM_ERROR_CODES.MODEL_NOT_FOUND;
  if (status === 401 || status === 403) return LLM_ERROR_CODES.AUTH;
  if (status === 400 || status === 413 || status === 422) return LLM_ERROR_CODES.BAD_REQUEST;
  if (status === 408) return LLM_ERROR_CODES.TIMEOUT;
  return LLM_ERROR_CODES.SERVER;
}

/** Milliseconds from `retry-after-ms` or `retry-after` (seconds or HTTP date); undefined if absent. */
export function retryAfterMsFrom(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
