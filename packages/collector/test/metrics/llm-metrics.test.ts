import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import type { SpanInput } from '../../src/model.js';
import { batchOf, getJson, makeSpan, startTestCollector } from '../helpers.js';

let c: RunningCollector;
const base = (Math.floor(Date.now() / 60_000) - 2) * 60_000_000;
const llmCalls: SpanInput[] = [];

function llmSpan(traceId: string, i: number, over: Partial<SpanInput> = {}): SpanInput {
  const span = makeSpan({
    traceId,
    parentSpanId: 'aaaaaaaaaaaaaaaa',
    name: 'llm.inference',
    kind: 3,
    startUs: base + i * 1_000_000,
    durationUs: 200_000 + i * 100_000,
    attributes: {
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 100 + i,
      'gen_ai.usage.output_tokens': 10 * (i + 1),
      'gen_ai.usage.cache_read.input_tokens': i,
      'llm.cost_usd': 0.001 * (i + 1),
      'llm.time_to_first_chunk_ms': 50 + 10 * i,
      'llm.eval_duration_ms': 100,
    },
    ...over,
  });
  llmCalls.push(span);
  return span;
}

beforeAll(async () => {
  c = await startTestCollector();
  const t1 = 'c1'.padEnd(32, '1');
  const t2 = 'c1'.padEnd(32, '2');
  // The LLM spans end (and arrive) before the request span that carries the conversation id.
  c.sink.ingest(batchOf('ai-stack', [llmSpan(t1, 0), llmSpan(t1, 1)]), 0);
  c.sink.ingest(batchOf('ai-stack', [llmSpan(t2, 2, { statusCode: 2 })]), 0);
  for (const [traceId, i] of [
    [t1, 0],
    [t2, 2],
  ] as const) {
    c.sink.ingest(
      batchOf('backend', [
        makeSpan({
          traceId,
          name: 'POST /chat',
          kind: 2,
          startUs: base + i * 1_000_000 - 1000,
          durationUs: 2_000_000,
          attributes: { 'gen_ai.conversation.id': 'conv-1' },
        }),
      ]),
      0,
    );
  }
});
afterAll(() => c.close());

describe('LLM economics from spans', () => {
  it('aggregates calls, errors, tokens, cost, TTFT and decode speed per model', async () => {
    const { body } = await getJson(c, '/api/llm/models?lookback=600000');
    expect(body.models).toHaveLength(1);
    const m = body.models[0];
    expect(m).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      calls: 3,
      errors: 1,
      inputTokens: 100 + 101 + 102,
      outputTokens: 10 + 20 + 30,
      cachedTokens: 0 + 1 + 2,
    });
    expect(m.costUsd).toBeCloseTo(0.006, 12);
    // TTFT 50/60/70 ms: p50 is 60 within 1 %.
    expect(Math.abs(m.ttftP50Ms - 60) / 60).toBeLessThanOrEqual(0.01);
    // 60 output tokens over 3 × 100 ms of decode.
    expect(m.decodeTokensPerSec).toBeCloseTo(200, 9);
    expect(m.series.calls.reduce((a: number, b: number) => a + b, 0)).toBe(3);
  });

  it('lists the slowest and the most expensive calls with their trace and span', async () => {
    const slow = (await getJson(c, '/api/llm/calls?by=duration&limit=2')).body.calls;
    expect(slow.map((x: { value: number }) => x.value)).toEqual([400, 300]);
    const byCost = (await getJson(c, '/api/llm/calls?by=cost&limit=3')).body.calls;
    expect(byCost.map((x: { spanId: string }) => x.spanId)).toEqual(
      [...llmCalls].reverse().map((s) => s.spanId),
    );
  });

  it('totals a conversation over its traces even when the id sits on another span', async () => {
    const list = (await getJson(c, '/api/llm/conversations')).body.conversations;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      conversationId: 'conv-1',
      traces: 2,
      calls: 3,
      errors: 1,
      outputTokens: 60,
    });
    expect(list[0].costUsd).toBeCloseTo(0.006, 12);
    const one = (await getJson(c, '/api/llm/conversations/conv-1')).body.traces;
    expect(one.map((t: { calls: number }) => t.calls)).toEqual([2, 1]);
    expect((await getJson(c, '/api/llm/conversations/none')).body.traces).toEqual([]);
  });
});
