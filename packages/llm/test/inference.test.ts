import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { countPromptTokens, planCompletion } from 'autobot-dev-model';
import { describe, expect, it } from 'vitest';
import {
  type ChatChunk,
  type ChatMessage,
  createLlmClient,
  LLM_ERROR_CODES,
  type LlmProviderError,
} from '../src/index.js';
import { first, inferenceSpans, settle, useHarness } from './helpers.js';

const h = useHarness();

const messages: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'Explain distributed tracing briefly.' },
];

const client = (provider: 'ollama' | 'openai', extra = {}) =>
  createLlmClient(
    { provider, ollamaUrl: h.dev.url, openaiBaseUrl: `${h.dev.url}/v1`, model: 'dev-model:latest', ...extra },
    {},
  );

const expected = (maxTokens?: number) => {
  const plan = planCompletion('Explain distributed tracing briefly.', maxTokens);
  const promptTokens = countPromptTokens(messages);
  return {
    text: plan.tokens.join(''),
    completionTokens: plan.tokens.length,
    promptTokens,
    finishReason: plan.finishReason,
  };
};

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe.each(['ollama', 'openai'] as const)('%s provider', (provider) => {
  const port = () => Number(new URL(h.dev.url).port);

  function expectCommon(attrs: Record<string, unknown>, streaming: boolean, maxTokens: number) {
    const e = expected(maxTokens);
    expect(attrs['llm.provider']).toBe(provider);
    expect(attrs['llm.model']).toBe('dev-model:latest');
    expect(attrs['llm.streaming']).toBe(streaming);
    expect(attrs['llm.temperature']).toBe(0.7);
    expect(attrs['llm.prompt_messages']).toBe(2);
    expect(attrs['llm.duration_ms']).toBeGreaterThan(0);
    expect(attrs['llm.response_length']).toBe(e.text.length);
    expect(attrs['llm.prompt_tokens']).toBe(e.promptTokens);
    expect(attrs['llm.completion_tokens']).toBe(e.completionTokens);
    expect(attrs['llm.total_tokens']).toBe(e.promptTokens + e.completionTokens);
    expect(attrs['llm.finish_reason']).toBe(e.finishReason);
    expect(attrs['llm.retry_count']).toBe(0);
    expect(attrs['gen_ai.operation.name']).toBe('chat');
    expect(attrs['gen_ai.provider.name']).toBe(provider);
    expect(attrs['gen_ai.request.model']).toBe('dev-model:latest');
    expect(attrs['gen_ai.response.model']).toBe('dev-model:latest');
    expect(attrs['gen_ai.request.temperature']).toBe(0.7);
    expect(attrs['gen_ai.request.max_tokens']).toBe(maxTokens);
    expect(attrs['gen_ai.usage.input_tokens']).toBe(e.promptTokens);
    expect(attrs['gen_ai.usage.output_tokens']).toBe(e.completionTokens);
    expect(attrs['gen_ai.response.finish_reasons']).toEqual([e.finishReason]);
    expect(attrs['server.address']).toBe('127.0.0.1');
    expect(attrs['server.port']).toBe(port());
    if (provider === 'openai') expect(attrs['gen_ai.response.id']).toMatch(/^chatcmpl-/);
    if (provider === 'ollama') expect(attrs['llm.load_duration_ms']).toBeGreaterThanOrEqual(0);
    // Content is off by default.
    expect(attrs['gen_ai.input.messages']).toBeUndefined();
    expect(attrs['gen_ai.output.messages']).toBeUndefined();
  }

  it('non-streamed chat: one CLIENT span with every attribute, counts as the server reported', async () => {
    const llm = client(provider);
    const response = await llm.chat({ messages, temperature: 0.7, maxTokens: 10 });
    const e = expected(10);
    expect(response.content).toBe(e.text);
    expect(response.usage).toEqual({
      promptTokens: e.promptTokens,
      completionTokens: e.completionTokens,
      totalTokens: e.promptTokens + e.completionTokens,
      // The dev model reports the messages before the last as cached, like OpenAI's prompt cache.
      ...(provider === 'openai'
        ? { cachedInputTokens: countPromptTokens(messages.slice(0, 1)), reasoningTokens: 0 }
        : {}),
    });
    const spans = inferenceSpans(h.exporter);
    expect(spans).toHaveLength(1);
    const span = first(spans);
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expectCommon(span.attributes, false, 10);
    expect(span.attributes['llm.time_to_first_chunk_ms']).toBeUndefined();
  });

  it('streamed chat: TTFC attribute and event, ≤ duration; usage from the final chunk', async () => {
    const llm = client(provider);
    const stream = await llm.chat({ messages, temperature: 0.7, maxTokens: 12, stream: true });
    const chunks = await collect(stream);
    const e = expected(12);
    expect(chunks.map((c) => c.content).join('')).toBe(e.text);
    const last = first(chunks.slice(-1));
    expect(last.done).toBe(true);
    expect(last.usage?.completionTokens).toBe(e.completionTokens);
    await settle();
    const spans = inferenceSpans(h.exporter);
    expect(spans).toHaveLength(1);
    const span = first(spans);
    expectCommon(span.attributes, true, 12);
    const ttfc = span.attributes['llm.time_to_first_chunk_ms'] as number;
    expect(ttfc).toBeGreaterThan(0);
    expect(ttfc).toBeLessThanOrEqual(span.attributes['llm.duration_ms'] as number);
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeCloseTo(ttfc / 1000, 9);
    expect(span.events.filter((ev) => ev.name === 'llm.first_chunk')).toHaveLength(1);
    expect(span.attributes['llm.chunk_count']).toBe(e.completionTokens);
    expect(h.diagWarnings).toEqual([]);
  });

  it('is a child of the active span', async () => {
    const llm = client(provider);
    await trace.getTracer('test').startActiveSpan('parent', async (parent) => {
      await llm.chat({ messages });
      parent.end();
    });
    const span = first(inferenceSpans(h.exporter));
    const parent = first(h.exporter.getFinishedSpans().filter((s) => s.name === 'parent'));
    expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
  });

  it('a consumer that breaks out of the loop ends the span once, as abandoned (not an error)', async () => {
    const llm = client(provider, {});
    const stream = await llm.chat({ messages, stream: true });
    let n = 0;
    for await (const _ of stream) if (++n === 2) break;
    await settle(100);
    const spans = inferenceSpans(h.exporter);
    expect(spans).toHaveLength(1);
    expect(first(spans).status.code).toBe(SpanStatusCode.UNSET);
    expect(first(spans).attributes['llm.stream_abandoned']).toBe(true);
    expect(first(spans).attributes['llm.response_length']).toBeGreaterThan(0);
    expect(h.diagWarnings).toEqual([]);
  });

  it('an abort through the signal mid-stream ends the span once with ERROR and throws ABORTED', async () => {
    const llm = client(provider);
    const controller = new AbortController();
    const stream = await llm.chat({ messages, stream: true, signal: controller.signal });
    let caught: LlmProviderError | undefined;
    try {
      for await (const _ of stream) controller.abort();
    } catch (error) {
      caught = error as LlmProviderError;
    }
    expect(caught?.code).toBe(LLM_ERROR_CODES.ABORTED);
    await settle(100);
    const spans = inferenceSpans(h.exporter);
    expect(spans).toHaveLength(1);
    expect(first(spans).status.code).toBe(SpanStatusCode.ERROR);
    expect(first(spans).attributes['error.type']).toBe('LlmProviderError');
    expect(first(spans).attributes['llm.error_code']).toBe(LLM_ERROR_CODES.ABORTED);
    expect(h.diagWarnings).toEqual([]);
  });

  it('an abort while nobody reads still ends the span at once', async () => {
    const llm = client(provider);
    const controller = new AbortController();
    const stream = await llm.chat({ messages, stream: true, signal: controller.signal });
    controller.abort();
    expect(inferenceSpans(h.exporter)).toHaveLength(1);
    await expect(collect(stream)).rejects.toMatchObject({ code: LLM_ERROR_CODES.ABORTED });
    expect(inferenceSpans(h.exporter)).toHaveLength(1);
  });

  it('a mid-stream error line ends the span once with ERROR and throws STREAM_BROKEN', async () => {
    const llm = client(provider);
    const stream = await llm.chat({
      messages: [{ role: 'user', content: 'hello [[dev-model:error-after=3]]' }],
      stream: true,
    });
    const seen: string[] = [];
    const error = await (async () => {
      try {
        for await (const chunk of stream) seen.push(chunk.content);
      } catch (e) {
        return e as LlmProviderError;
      }
    })();
    expect(seen).toHaveLength(3);
    expect(error?.code).toBe(LLM_ERROR_CODES.STREAM_BROKEN);
    await settle();
    const spans = inferenceSpans(h.exporter);
    expect(spans).toHaveLength(1);
    expect(first(spans).status.code).toBe(SpanStatusCode.ERROR);
    expect(first(spans).status.message).toBe(error?.message);
    expect(first(spans).events.some((ev) => ev.name === 'exception')).toBe(true);
    expect(h.diagWarnings).toEqual([]);
  });

  it('a dropped connection mid-stream is STREAM_BROKEN', async () => {
    const llm = client(provider);
    const stream = await llm.chat({
      messages: [{ role: 'user', content: 'x [[dev-model:drop-after=2]]' }],
      stream: true,
    });
    await expect(collect(stream)).rejects.toMatchObject({ code: LLM_ERROR_CODES.STREAM_BROKEN });
    const spans = inferenceSpans(h.exporter);
    expect(spans).toHaveLength(1);
    expect(first(spans).status.code).toBe(SpanStatusCode.ERROR);
  });

  it('model not found, rate limited (with retryAfterMs), timeout and connection errors are coded', async () => {
    const llm = client(provider, { maxRetries: 0, timeoutMs: 300 });
    await expect(
      llm.chat({ messages: [{ role: 'user', content: '[[dev-model:status=404]]' }] }),
    ).rejects.toMatchObject({ code: LLM_ERROR_CODES.MODEL_NOT_FOUND, status: 404 });
    await expect(
      llm.chat({ messages: [{ role: 'user', content: '[[dev-model:status=429,retry-after=2]]' }] }),
    ).rejects.toMatchObject({ code: LLM_ERROR_CODES.RATE_LIMITED, retryAfterMs: 2000 });
    await expect(
      llm.chat({ messages: [{ role: 'user', content: '[[dev-model:status=400]]' }], stream: true }),
    ).rejects.toMatchObject({ code: LLM_ERROR_CODES.BAD_REQUEST });
    await expect(
      llm.chat({ messages: [{ role: 'user', content: '[[dev-model:delay=2000]]' }] }),
    ).rejects.toMatchObject({ code: LLM_ERROR_CODES.TIMEOUT });
    const spans = inferenceSpans(h.exporter);
    expect(spans).toHaveLength(4);
    expect(spans.every((s) => s.status.code === SpanStatusCode.ERROR)).toBe(true);
    expect(spans.map((s) => s.attributes['llm.error_code'])).toEqual([
      LLM_ERROR_CODES.MODEL_NOT_FOUND,
      LLM_ERROR_CODES.RATE_LIMITED,
      LLM_ERROR_CODES.BAD_REQUEST,
      LLM_ERROR_CODES.TIMEOUT,
    ]);

    const down = createLlmClient(
      { provider, ollamaUrl: 'http://127.0.0.1:1', openaiBaseUrl: 'http://127.0.0.1:1/v1', maxRetries: 0 },
      {},
    );
    const error = await down.chat({ messages }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: LLM_ERROR_CODES.CONNECTION });
    const last = first(inferenceSpans(h.exporter).slice(-1));
    expect(last.attributes['server.port']).toBe(1);
    expect(last.events.find((ev) => ev.name === 'exception')?.attributes?.['exception.message']).toBe(
      (error as Error).message,
    );
  });

  it('a timeout during a stream that nobody reads ends the span with TIMEOUT', async () => {
    const llm = client(provider, { timeoutMs: 150 });
    const stream = await llm.chat({
      messages: [{ role: 'user', content: '[[dev-model:token-delay=1000]]' }],
      stream: true,
    });
    await settle(300);
    const spans = inferenceSpans(h.exporter);
    expect(spans).toHaveLength(1);
    expect(first(spans).attributes['llm.error_code']).toBe(LLM_ERROR_CODES.TIMEOUT);
    await expect(collect(stream)).rejects.toMatchObject({ code: LLM_ERROR_CODES.TIMEOUT });
  });

  it('embed makes one llm.inference span with operation embeddings', async () => {
    const llm = client(provider);
    const response = await llm.embed({ input: ['one two', 'three'], model: 'dev-model:latest' });
    expect(response.embeddings).toHaveLength(2);
    const span = first(inferenceSpans(h.exporter));
    expect(span.attributes['gen_ai.operation.name']).toBe('embeddings');
    expect(span.attributes['llm.embed_inputs']).toBe(2);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(3);
  });
});

describe('openai retries', () => {
  it('SDK retries stay inside the one span and are counted', async () => {
    const llm = client('openai', { maxRetries: 2 });
    const id = `retry-${Date.now()}`;
    const response = await llm.chat({
      messages: [{ role: 'user', content: `hi [[dev-model:status=503,retry-after=0,times=1,id=${id}]]` }],
    });
    expect(response.content.length).toBeGreaterThan(0);
    const spans = inferenceSpans(h.exporter);
    expect(spans).toHaveLength(1);
    expect(first(spans).attributes['llm.retry_count']).toBe(1);
    const retry = first(spans).events.find((ev) => ev.name === 'llm.retry');
    expect(retry?.attributes?.['http.response.status_code']).toBe(503);
    expect(first(spans).status.code).toBe(SpanStatusCode.UNSET);
  });
});

describe('ollama generate', () => {
  it('traces /api/generate as text_completion, streamed and not', async () => {
    const llm = client('ollama');
    const whole = await llm.generate({ prompt: 'Say something', maxTokens: 5 });
    expect(whole.usage?.completionTokens).toBe(5);
    const chunks = await collect(await llm.generate({ prompt: 'Say something', maxTokens: 5, stream: true }));
    expect(chunks.map((c) => c.content).join('')).toBe(whole.content);
    const spans = inferenceSpans(h.exporter);
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.attributes['gen_ai.operation.name']).toBe('text_completion');
      expect(span.attributes['llm.completion_tokens']).toBe(5);
      expect(span.attributes['llm.finish_reason']).toBe('length');
    }
    expect(first(spans.slice(1)).attributes['llm.time_to_first_chunk_ms']).toBeGreaterThan(0);
  });
});
