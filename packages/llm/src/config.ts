import { LlmConfigError } from './errors.js';

/** Environment as a plain object (tests pass their own; default `process.env`). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Which provider API the interface speaks. */
export type ProviderName = 'ollama' | 'openai';

/** Where configuration warnings go; default one line on stderr. */
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
  /** Record prompt and completion text on spans. Env `AUTOBOT_TRACE_CAPTURE_CONTENT`; default false. */
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

const stderrLogger: LlmLogger = {
  warn: (message) => process.stderr.write(`[autobot-llm] warning: ${message}\n`),
};

// Warn once per variable and value per process: a bad value read on every call must not flood logs.
const warned = new Set<string>();

function warnOnce(
  logger: LlmLogger,
  variable: string,
  value: string,
  expected: string,
  fallback: string,
): void {
  const key = `${variable}=${value}`;
  if (warned.has(key)) return;
  warned.add(key);
  try {
    logger.warn(`${variable}="${value}" is invalid (expected ${expected}); using ${fallback}`);
  } catch {
    // A broken logger must not break configuration.
  }
}

/** Forget which invalid values were already warned about (for tests). */
export function resetLlmConfigWarnings(): void {
  warned.clear();
}

type Parse<T> = (raw: string) => T | undefined;

function fromEnv<T>(
  env: Env,
  logger: LlmLogger,
  variables: readonly string[],
  parse: Parse<T>,
  expected: string,
  fallback: T,
  describe: (value: T) => string = String,
): T {
  for (let i = 0; i < variables.length; i++) {
    const variable = variables[i] as string;
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    const value = parse(raw.trim());
    if (value !== undefined) return value;
    // The value actually used: the next valid variable, else the default.
    const next = fromEnv(env, { warn: () => {} }, variables.slice(i + 1), parse, expected, fallback);
    warnOnce(logger, variable, raw, expected, describe(next));
    return next;
  }
  return fallback;
}

const parseProvider: Parse<ProviderName> = (raw) => {
  const v = raw.toLowerCase();
  return v === 'ollama' || v === 'openai' ? v : undefined;
};
const parseBool: Parse<boolean> = (raw) => {
  const v = raw.toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === 'off') return false;
  return undefined;
};
const parseUrl: Parse<string> = (raw) => {
  // OLLAMA_HOST may be a bare host[:port], as Ollama itself accepts.
  const text = /^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? text.replace(/\/+$/, '') : undefined;
  } catch {
    return undefined;
  }
};
const parseText: Parse<string> = (raw) => raw || undefined;
const intIn =
  (min: number, max: number): Parse<number> =>
  (raw) => {
    const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
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
  const logger = options.logger ?? stderrLogger;
  const provider =
    checkOption(
      options.provider,
      'provider',
      (v) => v === 'ollama' || v === 'openai',
      '"ollama" or "openai"',
    ) ??
    fromEnv(
      env,
      logger,
      ['AUTOBOT_LLM_PROVIDER'],
      parseProvider,
      '"ollama" or "openai"',
      'ollama' as ProviderName,
    );
  const url = (v: string) => parseUrl(v) !== undefined;
  const config: LlmConfig = {
    provider,
    ollamaUrl:
      parseUrl(checkOption(options.ollamaUrl, 'ollamaUrl', url, 'an http(s) URL') ?? '') ??
      fromEnv(
        env,
        logger,
        ['AUTOBOT_OLLAMA_URL', 'OLLAMA_HOST'],
        parseUrl,
        'an http(s) URL',
        DEFAULTS.ollamaUrl,
      ),
    openaiBaseUrl:
      parseUrl(checkOption(options.openaiBaseUrl, 'openaiBaseUrl', url, 'an http(s) URL') ?? '') ??
      fromEnv(
        env,
        logger,
        ['AUTOBOT_OPENAI_BASE_URL', 'OPENAI_BASE_URL'],
        parseUrl,
        'an http(s) URL',
        DEFAULTS.openaiBaseUrl,
      ),
    // The key is never echoed: a bad key is not detectable here, and warnings never print it.
    openaiApiKey: options.openaiApiKey ?? (env.OPENAI_API_KEY?.trim() || undefined),
    model:
      checkOption(options.model, 'model', (v) => typeof v === 'string' && v !== '', 'a non-empty string') ??
      fromEnv(env, logger, ['AUTOBOT_LLM_MODEL'], parseText, 'a model name', DEFAULTS.model[provider]),
    embedModel:
      checkOption(
        options.embedModel,
        'embedModel',
        (v) => typeof v === 'string' && v !== '',
        'a non-empty string',
      ) ??
      fromEnv(
        env,
        logger,
        ['AUTOBOT_LLM_EMBED_MODEL'],
        parseText,
        'a model name',
        DEFAULTS.embedModel[provider],
      ),
    captureContent:
      checkOption(options.captureContent, 'captureContent', (v) => typeof v === 'boolean', 'a boolean') ??
      fromEnv(env, logger, ['AUTOBOT_TRACE_CAPTURE_CONTENT'], parseBool, 'true or false', false),
    contentMaxChars:
      checkOption(
        options.contentMaxChars,
        'contentMaxChars',
        (v) => Number.isInteger(v) && v >= 0,
        'an integer ≥ 0',
      ) ??
      fromEnv(
        env,
        logger,
        ['AUTOBOT_TRACE_CONTENT_MAX_CHARS'],
        intIn(0, 10_000_000),
        'a whole number of characters',
        DEFAULTS.contentMaxChars,
      ),
    timeoutMs:
      checkOption(
        options.timeoutMs,
        'timeoutMs',
        (v) => Number.isInteger(v) && v > 0,
        'a positive integer',
      ) ??
      fromEnv(
        env,
        logger,
        ['AUTOBOT_LLM_TIMEOUT_MS'],
        intIn(1, 86_400_000),
        'a whole number of ms ≥ 1',
        DEFAULTS.timeoutMs,
      ),
    maxRetries:
      checkOption(options.maxRetries, 'maxRetries', (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0') ??
      fromEnv(
        env,
        logger,
        ['AUTOBOT_LLM_MAX_RETRIES'],
        intIn(0, 10),
        'a whole number 0-10',
        DEFAULTS.maxRetries,
      ),
  };
  return Object.freeze(config);
}
