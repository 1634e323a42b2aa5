import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countPromptTokens } from 'autobot-dev-model';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bundledPriceTable,
  type ChatMessage,
  createLlmClient,
  findPrice,
  resolvePriceTable,
} from '../src/index.js';
import { first, inferenceSpans, useHarness } from './helpers.js';

const h = useHarness();
const dir = mkdtempSync(join(tmpdir(), 'llm-prices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const messages: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'Explain distributed tracing briefly.' },
];

describe('Ollama server timings', () => {
  it('records load, prefill and decode durations, their token rates, overhead and a zero local cost', async () => {
    const llm = createLlmClient({ provider: 'ollama', ollamaUrl: h.dev.url, model: 'dev-model:latest' }, {});
    const response = await llm.chat({ messages, maxTokens: 12 });
    const a = first(inferenceSpans(h.exporter)).attributes;
    const t = response.timings;
    expect(t).toBeDefined();
    if (t === undefined) return;
    expect(a['llm.load_duration_ms']).toBe(t.loadDurationMs);
    expect(a['llm.prompt_eval_duration_ms']).toBe(t.promptEvalDurationMs);
    expect(a['llm.eval_duration_ms']).toBe(t.evalDurationMs);
    expect(a['llm.total_duration_ms']).toBe(t.totalDurationMs);
    expect(t.evalDurationMs).toBeGreaterThan(0); // the dev model sleeps between tokens
    expect(a['llm.decode_tokens_per_second']).toBeCloseTo(
      (response.usage?.completionTokens ?? 0) / (t.evalDurationMs / 1000),
      6,
    );
    if (t.promptEvalDurationMs > 0) {
      expect(a['llm.prefill_tokens_per_second']).toBeCloseTo(
        (response.usage?.promptTokens ?? 0) / (t.promptEvalDurationMs / 1000),
        6,
      );
    }
    const overhead = a['llm.overhead_ms'] as number;
    expect(overhead).toBeGreaterThanOrEqual(0);
    expect(overhead).toBeLessThanOrEqual(a['llm.duration_ms'] as number);
    expect(a['llm.cost_usd']).toBe(0);
    expect(a['llm.price_table_version']).toBe(bundledPriceTable().version);
  });
});

describe('OpenAI cached input, reasoning tokens and cost', () => {
  it('records cache_read and reasoning tokens and prices them from the bundled table', async () => {
    const llm = createLlmClient(
      { provider: 'openai', openaiBaseUrl: `${h.dev.url}/v1`, model: 'o3-mini', maxRetries: 0 },
      {},
    );
    const response = await llm.chat({ messages, maxTokens: 12 });
    const a = first(inferenceSpans(h.exporter)).attributes;
    const cached = countPromptTokens(messages.slice(0, 1));
    expect(response.usage?.cachedInputTokens).toBe(cached);
    expect(a['gen_ai.usage.cache_read.input_tokens']).toBe(cached);
    // o-series models reason at "medium" by default in the dev model: 16 tokens.
    expect(a['gen_ai.usage.reasoning.output_tokens']).toBe(16);
    const prompt = a['gen_ai.usage.input_tokens'] as number;
    const output = a['gen_ai.usage.output_tokens'] as number;
    // o3-mini list price: $1.10 input, $0.55 cached input, $4.40 output per 1M tokens.
    expect(a['llm.cost_usd']).toBeCloseTo(((prompt - cached) * 1.1 + cached * 0.55 + output * 4.4) / 1e6, 12);
  });

  it('records no cost for a model the table does not price', async () => {
    const llm = createLlmClient(
      { provider: 'openai', openaiBaseUrl: `${h.dev.url}/v1`, model: 'dev-model:latest', maxRetries: 0 },
      {},
    );
    await llm.chat({ messages });
    const a = first(inferenceSpans(h.exporter)).attributes;
    expect(a['llm.cost_usd']).toBeUndefined();
    expect(a['gen_ai.usage.reasoning.output_tokens']).toBe(0);
  });
});

describe('price table', () => {
  it('matches dated variants to their base model and local models to the provider wildcard', () => {
    const t = bundledPriceTable();
    expect(findPrice(t, 'openai', 'gpt-4o-mini-2024-07-18')?.model).toBe('gpt-4o-mini');
    expect(findPrice(t, 'openai', 'gpt-4o-2024-08-06')?.model).toBe('gpt-4o');
    expect(findPrice(t, 'ollama', 'mistral:7b-instruct')?.model).toBe('*');
    expect(findPrice(t, 'openai', 'unknown-model')).toBeUndefined();
  });

  it('AUTOBOT_LLM_PRICES_FILE overrides the table; a bad file warns once and falls back', () => {
    const good = join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({
        version: 'test-1',
        source: 'test',
        models: [{ provider: 'ollama', model: '*', usdPerGpuSecond: 0.002 }],
      }),
    );
    expect(resolvePriceTable({ AUTOBOT_LLM_PRICES_FILE: good }).version).toBe('test-1');

    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) };
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ version: 'x', models: [{ provider: 'openai', model: 'm', inputPerMTok: -1 }] }),
    );
    expect(resolvePriceTable({ AUTOBOT_LLM_PRICES_FILE: bad }, logger).version).toBe(
      bundledPriceTable().version,
    );
    resolvePriceTable({ AUTOBOT_LLM_PRICES_FILE: bad }, logger);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('AUTOBOT_LLM_PRICES_FILE');
    expect(warnings[0]).toContain(bad);
    expect(warnings[0]).toContain('models[0].inputPerMTok must be a non-negative number');
    expect(warnings[0]).toContain(`bundled price table ${bundledPriceTable().version}`);

    const missing = join(dir, 'missing.json');
    resolvePriceTable({ AUTOBOT_LLM_PRICES_FILE: missing }, logger);
    expect(warnings[1]).toContain('ENOENT');
  });

  it('a per-GPU-second price from the file costs Ollama calls by total_duration', async () => {
    const file = join(dir, 'gpu.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 'gpu-1',
        source: 'test',
        models: [{ provider: 'ollama', model: '*', usdPerGpuSecond: 0.5 }],
      }),
    );
    const llm = createLlmClient(
      { provider: 'ollama', ollamaUrl: h.dev.url, model: 'dev-model:latest' },
      { AUTOBOT_LLM_PRICES_FILE: file },
    );
    const response = await llm.chat({ messages, maxTokens: 5 });
    const a = first(inferenceSpans(h.exporter)).attributes;
    expect(a['llm.cost_usd']).toBeCloseTo(((response.timings?.totalDurationMs ?? 0) / 1000) * 0.5, 12);
    expect(a['llm.cost_usd']).toBeGreaterThan(0);
    expect(a['llm.price_table_version']).toBe('gpu-1');
  });
});
