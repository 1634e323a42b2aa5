import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/repo.js';

interface LauncherConfig {
  traceDb: string;
  redisUrl: string;
  redisPort: number;
  ollamaUrl: string;
  llmProvider: 'ollama' | 'openai';
  scheduleDelayMs: string;
}
type Resolve = (env: Record<string, string | undefined>) => { config: LauncherConfig; warnings: string[] };

// scripts/ is plain ESM without types: load it by URL and type the one function used.
const { resolveLauncherConfig } = (await import(
  pathToFileURL(join(ROOT, 'scripts', 'lib', 'launcher-config.mjs')).href
)) as { resolveLauncherConfig: Resolve };

describe('npm start: launcher settings (scripts/lib/launcher-config.mjs)', () => {
  it('defaults without variables, no warnings', () => {
    const { config, warnings } = resolveLauncherConfig({});
    expect(config).toEqual({
      traceDb: join(ROOT, '.autobot', 'traces.db'),
      redisUrl: '',
      redisPort: 0,
      ollamaUrl: '',
      llmProvider: 'ollama',
      scheduleDelayMs: '200',
    });
    expect(warnings).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes valid values; OLLAMA_HOST stands in for AUTOBOT_OLLAMA_URL', () => {
    const { config, warnings } = resolveLauncherConfig({
      AUTOBOT_TRACE_DB: ':memory:',
      AUTOBOT_REDIS_URL: ' redis://127.0.0.1:6390 ',
      AUTOBOT_REDIS_PORT: '6391',
      OLLAMA_HOST: '127.0.0.1:11434',
      AUTOBOT_LLM_PROVIDER: 'OpenAI',
      AUTOBOT_TRACE_SCHEDULE_DELAY_MS: '1000',
    });
    expect(config).toMatchObject({
      traceDb: ':memory:',
      redisUrl: 'redis://127.0.0.1:6390',
      redisPort: 6391,
      ollamaUrl: '127.0.0.1:11434',
      llmProvider: 'openai',
      scheduleDelayMs: '1000',
    });
    expect(warnings).toEqual([]);
  });

  it('an invalid value warns once naming the variable, the value, what was expected and the fallback', () => {
    const { config, warnings } = resolveLauncherConfig({
      AUTOBOT_REDIS_PORT: 'sixty',
      AUTOBOT_LLM_PROVIDER: 'anthropic',
    });
    expect(config.redisPort).toBe(0);
    expect(config.llmProvider).toBe('ollama');
    expect(warnings).toEqual([
      'AUTOBOT_REDIS_PORT="sixty" is invalid (expected a whole number from 0 to 65535); using 0',
      'AUTOBOT_LLM_PROVIDER="anthropic" is invalid (expected one of ollama, openai); using ollama',
    ]);
  });
});
