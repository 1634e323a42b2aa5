import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery, type RunningCollector } from '../../src/index.js';
import { normalizeGenAiAttributes } from '../../src/metrics/normalize-genai.js';
import { batchOf, getJson, makeSpan, startTestCollector } from '../helpers.js';
import { GENAI_FIXTURES } from './genai-fixtures.js';

describe('normalizeGenAiAttributes', () => {
  it.each(Object.entries(GENAI_FIXTURES))(
    '%s: adds the current GenAI keys and keeps the originals',
    (_, f) => {
      const attrs = structuredClone(f.attributes);
      normalizeGenAiAttributes(attrs);
      expect(attrs).toMatchObject(f.expected);
      expect(attrs).toMatchObject(f.attributes);
    },
  );

  it('never overwrites a current key that is already there', () => {
    const attrs = {
      'gen_ai.provider.name': 'azure.ai.openai',
      'gen_ai.system': 'openai',
      'llm.token_count.prompt': 5,
    };
    normalizeGenAiAttributes(attrs);
    expect(attrs['gen_ai.provider.name']).toBe('azure.ai.openai');
    expect((attrs as Record<string, unknown>)['gen_ai.usage.input_tokens']).toBe(5);
  });

  it('ignores values of the wrong type instead of copying them', () => {
    const attrs: Record<string, unknown> = {
      'gen_ai.usage.prompt_tokens': 'many',
      'llm.request.type': 'rerank',
    };
    normalizeGenAiAttributes(attrs as never);
    expect(attrs['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(attrs['gen_ai.operation.name']).toBeUndefined();
  });
});

describe('on ingest', () => {
  let c: RunningCollector;
  const startUs = (Math.floor(Date.now() / 60_000) - 1) * 60_000_000;
  beforeAll(async () => {
    c = await startTestCollector();
    for (const [key, f] of Object.entries(GENAI_FIXTURES)) {
      c.sink.ingest(
        batchOf(`svc-${key}`, [
          makeSpan({
            name: f.name,
            kind: 3,
            startUs,
            durationUs: 900_000,
            attributes: structuredClone(f.attributes),
          }),
        ]),
        0,
      );
    }
  });
  afterAll(() => c.close());

  it('stores both the original and the normalised keys', async () => {
    for (const [key, f] of Object.entries(GENAI_FIXTURES)) {
      const ids = c.store.searchTraceIds({ query: parseQuery(`service = "svc-${key}"`), limit: 1 });
      const span = c.store.getTrace(ids[0] as string)?.[0];
      expect(span?.attributes, key).toMatchObject({ ...f.attributes, ...f.expected });
    }
  });

  it('shows third-party LLM spans in the LLM figures', async () => {
    const { body } = await getJson(c, '/api/llm/models');
    const byModel = new Map(body.models.map((m: { model: string }) => [m.model, m]));
    expect(byModel.get('llama3')).toMatchObject({
      provider: 'ollama',
      calls: 1,
      inputTokens: 17,
      outputTokens: 12,
    });
    expect(byModel.get('gpt-4o-mini')).toMatchObject({
      provider: 'openai',
      inputTokens: 1200,
      cachedTokens: 1024,
    });
    expect(byModel.get('gpt-3.5-turbo-0613')).toMatchObject({
      provider: 'unknown',
      inputTokens: 229,
      outputTokens: 21,
    });
    const slowest = await getJson(c, '/api/llm/calls?by=duration&limit=5');
    expect(slowest.body.calls).toHaveLength(3);
    expect(slowest.body.calls[0].value).toBe(900);
  });
});
