import { type Env, EnvReader } from '@autobot/tracing';

/** Effective configuration of the AI stack. */
export interface AiStackConfig {
  host: string;
  port: number;
  /**
   * Ollama URL handed to `@autobot/llm`: `AUTOBOT_OLLAMA_URL` (or `OLLAMA_HOST`) when set,
   * otherwise the dev model at `AUTOBOT_DEV_MODEL_URL` (default `http://127.0.0.1:11500`).
   * Ignored when `AUTOBOT_LLM_PROVIDER=openai`.
   */
  ollamaUrl: string;
  /** True when no real Ollama is configured and the dev model answers. */
  usingDevModel: boolean;
  /** System prompt prepended when the request has none (`AUTOBOT_SYSTEM_PROMPT`). */
  systemPrompt: string;
  warnings: string[];
}

export const DEFAULT_DEV_MODEL_URL = 'http://127.0.0.1:11500';

/** Resolve the configuration from the environment; invalid values warn and fall back. */
export function resolveAiStackConfig(env: Env = process.env): AiStackConfig {
  const read = new EnvReader(env);
  const explicitOllama = (env.AUTOBOT_OLLAMA_URL ?? env.OLLAMA_HOST ?? '').trim() !== '';
  const devModelUrl = read.url('AUTOBOT_DEV_MODEL_URL', DEFAULT_DEV_MODEL_URL);
  return {
    host: read.text('AUTOBOT_AI_STACK_HOST', '127.0.0.1'),
    port: read.port('AUTOBOT_AI_STACK_PORT', 8002),
    // An explicit Ollama URL is left to @autobot/llm, which validates it and warns itself.
    ollamaUrl: explicitOllama ? '' : devModelUrl,
    usingDevModel:
      !explicitOllama && (env.AUTOBOT_LLM_PROVIDER ?? 'ollama').trim().toLowerCase() !== 'openai',
    systemPrompt: read.text(
      'AUTOBOT_SYSTEM_PROMPT',
      'You are AutoBot, an automation assistant. Answer briefly and concretely.',
    ),
    warnings: read.warnings,
  };
}
