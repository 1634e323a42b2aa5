import { getTracingService } from '@autobot/tracing';
import { describe, expect, it } from 'vitest';
import { LlmConfigError, resolveLlmConfig } from '../src/index.js';

function capture() {
  const warnings: string[] = [];
  return { warnings, logger: { warn: (m: string) => warnings.push(m) } };
}

describe('resolveLlmConfig', () => {
  it('defaults to a local Ollama with content capture off', () => {
    const config = resolveLlmConfig({}, {});
    expect(config).toMatchObject({
      provider: 'ollama',
      ollamaUrl: 'http://127.0.0.1:11434',
      model: 'mistral:7b-instruct',
      captureContent: false,
      timeoutMs: 120_000,
      maxRetries: 2,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('options win over env, env over defaults, AUTOBOT_* over the standard variable', () => {
    const env = {
      AUTOBOT_LLM_PROVIDER: 'openai',
      AUTOBOT_OPENAI_BASE_URL: 'http://llm.internal:8000/v1',
      OPENAI_BASE_URL: 'http://ignored/v1',
      OPENAI_API_KEY: 'sk-x',
      AUTOBOT_LLM_MODEL: 'gpt-x',
      OLLAMA_HOST: '10.0.0.5:11434',
      AUTOBOT_TRACE_CAPTURE_CONTENT: 'TRUE',
    };
    const config = resolveLlmConfig({ model: 'from-code' }, env);
    expect(config.provider).toBe('openai');
    expect(config.openaiBaseUrl).toBe('http://llm.internal:8000/v1');
    expect(config.openaiApiKey).toBe('sk-x');
    expect(config.model).toBe('from-code');
    expect(config.ollamaUrl).toBe('http://10.0.0.5:11434');
    expect(config.captureContent).toBe(true);
    expect(resolveLlmConfig({}, { AUTOBOT_LLM_PROVIDER: 'openai' }).model).toBe('gpt-4o-mini');
  });

  it('an invalid env value warns once, naming variable, value and fallback, and never throws', () => {
    const { warnings, logger } = capture();
    const env = {
      AUTOBOT_LLM_PROVIDER: 'anthropic',
      AUTOBOT_TRACE_CAPTURE_CONTENT: 'maybe',
      AUTOBOT_OLLAMA_URL: 'ftp://x',
      OLLAMA_HOST: 'http://fallback:1234',
      AUTOBOT_LLM_TIMEOUT_MS: '-5',
    };
    const config = resolveLlmConfig({ logger }, env);
    resolveLlmConfig({ logger }, env);
    expect(config.provider).toBe('ollama');
    expect(config.captureContent).toBe(false);
    expect(config.ollamaUrl).toBe('http://fallback:1234');
    expect(config.timeoutMs).toBe(120_000);
    expect(warnings).toHaveLength(4);
    expect(warnings).toContainEqual(expect.stringMatching(/AUTOBOT_LLM_PROVIDER="anthropic".*using ollama/));
    expect(warnings).toContainEqual(
      expect.stringMatching(/AUTOBOT_TRACE_CAPTURE_CONTENT="maybe".*using false/),
    );
    expect(warnings).toContainEqual(
      expect.stringMatching(/AUTOBOT_OLLAMA_URL="ftp:\/\/x".*using http:\/\/fallback:1234/),
    );
    expect(warnings).toContainEqual(expect.stringMatching(/AUTOBOT_LLM_TIMEOUT_MS="-5".*using 120000/));
  });

  it('a bad option in code is a coded error', () => {
    expect(() => resolveLlmConfig({ provider: 'x' as never }, {})).toThrow(LlmConfigError);
    try {
      resolveLlmConfig({ timeoutMs: -1 }, {});
    } catch (error) {
      expect((error as LlmConfigError).code).toBe('AUTOBOT_ERR_LLM_CONFIG');
    }
    expect(() => resolveLlmConfig({ ollamaUrl: 'not a url at all' }, {})).toThrow(LlmConfigError);
  });
});

// Last in this file: it initializes the process's (disabled) tracing service once.
describe('content capture follows the tracing service', () => {
  it('takes tracing.initialize({ captureContent }) when the LLM option and variable are unset', () => {
    expect(resolveLlmConfig({}, {}).captureContent).toBe(false);
    getTracingService().initialize({ enabled: false, captureContent: true }, {});
    expect(resolveLlmConfig({}, {}).captureContent).toBe(true);
    // The LLM's own option and variable still win.
    expect(resolveLlmConfig({}, { AUTOBOT_TRACE_CAPTURE_CONTENT: 'false' }).captureContent).toBe(false);
    expect(resolveLlmConfig({ captureContent: false }, {}).captureContent).toBe(false);
  });
});
