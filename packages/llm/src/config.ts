import {
  type Env,
  EnvReader,
  getTracingService,
  integerInRange,
  type Parser,
  parseBoolean,
  parseHttpUrl,
  parseText,
  warnOnce,
} from '@autobot/tracing';
import { LlmConfigError } from './errors.js';

export type { Env };

/** Which provider API the interface speaks. */
export type ProviderName = 'ollama' | 'openai';

/** Where configuration warnings go; default the tracing library's logger (`setTracingLogger`). */
export interface LlmLogger {
  warn(message: string): void;
}

/** Options passed in code; each wins over its environment variable. */
export interface LlmOptions {
  /** `ollama` or `openai` (any OpenAI-compatible server). Env `AUTOBOT_LLM_PROVIDER`; default `ollama`. */
  provider?: ProviderName;
  /** Ollama base URL. Env `AUTOBOT_OLLAMA_URL`, then `OLLAMA_HOST`; default `http://127.0.0.1:11434`. */
  ollamaUrl?: string;
  /** OpenAI base URL (with `/v1`). Env `AUTOBOT_OPENAI_BASE_URL`, then `OPENAI_BASE_URL`; default `https://api.openai.com/v1`. */
  openaiBaseUrl?: string;
  /** API key for the OpenAI API. Env `OPENAI_API_KEY`. Never recorded anywhere. */
  openaiApiKey?: string;
  /** Default chat model. Env `AUTOBOT_LLM_MODEL`; default `mistral:7b-instruct` (ollama) / `gpt-4o-mini` (openai). */
  model?: string;
  /** Default embedding model. Env `AUTOBOT_LLM_EMBED_MODEL`; default `nomic-embed-text` / `text-embedding-3-small`. */
  embedModel?: string;
  /** Record prompt and completion text on spans. Env `AUTOBOT_TRACE_CAPTURE_CONTENT`; default: the tracing service's `captureContent` (false). */
  captureContent?: boolean;
  /** Max characters of captured message text per span attribute. Env `AUTOBOT_TRACE_CONTENT_MAX_CHARS`; default 8192. */
  contentMaxChars?: number;
  /** Deadline of one whole call (stream included), ms. Env `AUTOBOT_LLM_TIMEOUT_MS`; default 120000. */
  timeoutMs?: number;
  /** Retries of the OpenAI SDK inside one call. Env `AUTOBOT_LLM_MAX_RETRIES`; default 2. */
  maxRetries?: number;
  /** Sink for configuration warnings. */
  logger?: LlmLogger;
}

/** The resolved, frozen configuration. */
export interface LlmConfig {
  readonly provider: ProviderName;
  readonly ollamaUrl: string;
  readonly openaiBaseUrl: string;
  readonly openaiApiKey: string | undefined;
  readonly model: string;
  readonly embedModel: string;
  readonly captureContent: boolean;
  readonly contentMaxChars: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
}

const DEFAULTS = {
  ollamaUrl: 'http://127.0.0.1:11434',
  openaiBaseUrl: 'https://api.openai.com/v1',
  model: { ollama: 'mistral:7b-instruct', openai: 'gpt-4o-mini' },
  embedModel: { ollama: 'nomic-embed-text', openai: 'text-embedding-3-small' },
  contentMaxChars: 8192,
  timeoutMs: 120_000,
  maxRetries: 2,
} as const;

const parseProvider: Parser<ProviderName> = (raw) => {
  const v = raw.trim().toLowerCase();
  return v === 'ollama' || v === 'openai'
    ? { ok: true, value: v }
    : { ok: false, expected: '"ollama" or "openai"' };
};
/** An http(s) base URL without trailing slash; a bare `host[:port]` is accepted, as Ollama's OLLAMA_HOST is. */
const parseBaseUrl: Parser<string> = (raw) => {
  const text = raw.trim();
  const parsed = parseHttpUrl(/^[a-z]+:\/\//i.test(text) ? text : `http://${text}`);
  return parsed.ok
    ? { ok: true, value: parsed.value.href.replace(/\/+$/, '') }
    : { ok: false, expected: 'an http(s) URL' };
};
const parseModelName: Parser<string> = (raw) => {
  const parsed = parseText(raw);
  return parsed.ok ? parsed : { ok: false, expected: 'a model name' };
};

function checkOption<T>(
  value: T | undefined,
  name: string,
  valid: (v: T) => boolean,
  expected: string,
): T | undefined {
  if (value !== undefined && !valid(value)) {
    throw new LlmConfigError(`option ${name} must be ${expected}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Resolves the LLM configuration field by field: option ?? environment ?? default. A bad option
 * throws {@link LlmConfigError}; a bad environment value warns once (variable, value, fallback)
 * and falls back, never throws.
 */
export function resolveLlmConfig(options: LlmOptions = {}, env: Env = process.env): LlmConfig {
  const reader = new EnvReader(env);
  const fromEnv = <T>(variables: readonly string[], parse: Parser<T>, fallback: T): T =>
    reader.layered(variables, parse, fallback);
  const provider =
    checkOption(
      options.provider,
      'provider',
      (v) => v === 'ollama' || v === 'openai',
      '"ollama" or "openai"',
    ) ?? fromEnv(['AUTOBOT_LLM_PROVIDER'], parseProvider, 'ollama' as ProviderName);
  const url = (v: string) => parseBaseUrl(v).ok;
  const baseUrlOption = (v: string | undefined) => {
    const parsed = v === undefined ? undefined : parseBaseUrl(v);
    return parsed?.ok ? parsed.value : undefined;
  };
  const config: LlmConfig = {
    provider,
    ollamaUrl:
      baseUrlOption(checkOption(options.ollamaUrl, 'ollamaUrl', url, 'an http(s) URL')) ??
      fromEnv(['AUTOBOT_OLLAMA_URL', 'OLLAMA_HOST'], parseBaseUrl, DEFAULTS.ollamaUrl),
    openaiBaseUrl:
      baseUrlOption(checkOption(options.openaiBaseUrl, 'openaiBaseUrl', url, 'an http(s) URL')) ??
      fromEnv(['AUTOBOT_OPENAI_BASE_URL', 'OPENAI_BASE_URL'], parseBaseUrl, DEFAULTS.openaiBaseUrl),
    // The key is never echoed: a bad key is not detectable here, and warnings never print it.
    openaiApiKey: options.openaiApiKey ?? (env.OPENAI_API_KEY?.trim() || undefined),
    model:
      checkOption(options.model, 'model', (v) => typeof v === 'string' && v !== '', 'a non-empty string') ??
      fromEnv(['AUTOBOT_LLM_MODEL'], parseModelName, DEFAULTS.model[provider]),
    embedModel:
      checkOption(
        options.embedModel,
        'embedModel',
        (v) => typeof v === 'string' && v !== '',
        'a non-empty string',
      ) ?? fromEnv(['AUTOBOT_LLM_EMBED_MODEL'], parseModelName, DEFAULTS.embedModel[provider]),
    captureContent:
      checkOption(options.captureContent, 'captureContent', (v) => typeof v === 'boolean', 'a boolean') ??
      // Unset here: what the process's tracing was initialized with (its option or the same
      // variable), so `tracing.initialize({ captureContent: true })` reaches every LLM client.
      fromEnv(
        ['AUTOBOT_TRACE_CAPTURE_CONTENT'],
        parseBoolean,
        getTracingService().config?.captureContent ?? false,
      ),
    contentMaxChars:
      checkOption(
        options.contentMaxChars,
        'contentMaxChars',
        (v) => Number.isInteger(v) && v >= 0,
        'an integer ≥ 0',
      ) ??
      fromEnv(['AUTOBOT_TRACE_CONTENT_MAX_CHARS'], integerInRange(0, 10_000_000), DEFAULTS.contentMaxChars),
    timeoutMs:
      checkOption(
        options.timeoutMs,
        'timeoutMs',
        (v) => Number.isInteger(v) && v > 0,
        'a positive integer',
      ) ?? fromEnv(['AUTOBOT_LLM_TIMEOUT_MS'], integerInRange(1, 86_400_000), DEFAULTS.timeoutMs),
    maxRetries:
      checkOption(options.maxRetries, 'maxRetries', (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0') ??
      fromEnv(['AUTOBOT_LLM_MAX_RETRIES'], integerInRange(0, 10), DEFAULTS.maxRetries),
  };
  // Once per process: a client built per request must not repeat the same warning.
  for (const warning of reader.warnings) warnOnce(warning, options.logger);
  return Object.freeze(config);
}
