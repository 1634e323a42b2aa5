// The launcher's settings from the environment, resolved once with the tracing package's one
// environment reader (`@autobot/tracing/env`): an invalid value never stops `npm start`, it adds
// one warning naming the variable, the value, what was expected and the fallback used.
// Imported after the build step (the reader is built code). Ports are resolved in stack.mjs.
import { join } from 'node:path';
import { EnvReader } from '@autobot/tracing/env';
import { ROOT } from './stack.mjs';

/**
 * @param {Readonly<Record<string, string | undefined>>} env
 * @returns {{ config: Readonly<{
 *   traceDb: string, redisUrl: string, redisPort: number, ollamaUrl: string,
 *   llmProvider: 'ollama' | 'openai', scheduleDelayMs: string }>, warnings: string[] }}
 */
export function resolveLauncherConfig(env) {
  const reader = new EnvReader(env);
  const config = Object.freeze({
    /** The collector's database (`:memory:` allowed). */
    traceDb: reader.text('AUTOBOT_TRACE_DB', join(ROOT, '.autobot', 'traces.db')),
    /** Redis of the backend; '' = a private redis-server when installed, else none. */
    redisUrl: reader.text('AUTOBOT_REDIS_URL', ''),
    /** Port of the private redis-server; 0 = a free port. */
    redisPort: reader.port('AUTOBOT_REDIS_PORT', 0),
    /** A real Ollama (URL or Ollama's own host:port form); '' = the dev model. */
    ollamaUrl: reader.text('AUTOBOT_OLLAMA_URL', reader.text('OLLAMA_HOST', '')),
    llmProvider: reader.choice('AUTOBOT_LLM_PROVIDER', ['ollama', 'openai'], 'ollama'),
    /** Passed on to the services, which validate it themselves; 200 ms keeps the demo snappy. */
    scheduleDelayMs: reader.text('AUTOBOT_TRACE_SCHEDULE_DELAY_MS', '200'),
  });
  return { config, warnings: reader.warnings };
}
