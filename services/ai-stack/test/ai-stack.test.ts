import { createLlmClient } from '@autobot/llm';
import { getTracingService } from '@autobot/tracing';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { type DevModelServer, startDevModel } from 'autobot-dev-model';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildAiStackApp, resolveAiStackConfig } from '../src/index.js';

// In-process: the app on `inject`, the tracing service on an in-memory exporter, and a real dev
// model on a free port as the LLM (its magic words inject faults per request).
const exporter = new InMemorySpanExporter();
const tracing = getTracingService();
let dev: DevModelServer;
let app: FastifyInstance;

beforeAll(async () => {
  tracing.initialize(
    { serviceName: 'ai-stack-test', spanExporter: exporter, handleSignals: false, scheduledDelayMs: 1 },
    {},
  );
  dev = await startDevModel({ port: 0, tokenDelayMs: 1 });
  const config = resolveAiStackConfig({ AUTOBOT_DEV_MODEL_URL: dev.url });
  // `env: {}`: the machine's AUTOBOT_LLM_* must not change what the tests talk to.
  const llm = createLlmClient({ ollamaUrl: config.ollamaUrl, model: 'dev-model:latest', maxRetries: 0 }, {});
  app = buildAiStackApp(config, llm);
});
afterAll(async () => {
  await app?.close();
  await dev?.close();
  await tracing.shutdown();
});
// A streamed answer's spans may end just after `inject` resolved: flush before forgetting them,
// or they would land in the next test.
afterEach(async () => {
  await new Promise((resolve) => setTimeout(resolve, 20));
  await tracing.forceFlush();
  exporter.reset();
});

async function finishedSpans(): Promise<ReadableSpan[]> {
  await tracing.forceFlush();
  return exporter.getFinishedSpans();
}

function postProcess(content: string, extra: Record<string, unknown> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/process',
    payload: { messages: [{ role: 'user', content }], ...extra },
  });
}

describe('POST /api/process', () => {
  it('answers a completion with the model, finish reason and usage (stream: false)', async () => {
    const response = await postProcess('Say hello', { stream: false });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.model).toBe('dev-model:latest');
    expect(typeof body.content).toBe('string');
    expect(body.content.length).toBeGreaterThan(0);
    expect(body.finishReason).toBe('stop');
    expect(body.usage.totalTokens).toBeGreaterThan(0);
  });

  it('streams NDJSON content lines, then one done line', async () => {
    const response = await postProcess('Say hello');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = response.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const last = lines.at(-1);
    expect(last).toMatchObject({ done: true, model: 'dev-model:latest', finishReason: 'stop' });
    const content = lines.slice(0, -1);
    expect(content.length).toBeGreaterThan(0);
    for (const line of content) expect(Object.keys(line)).toEqual(['content']);
  });

  it('records llm.inference as a child of the server span, in the same trace', async () => {
    const response = await postProcess('Say hello', { stream: false });
    expect(response.statusCode).toBe(200);
    const spans = await finishedSpans();
    const server = spans.find((s) => s.name === 'HTTP POST /api/process');
    const inference = spans.find((s) => s.name === 'llm.inference');
    expect(server?.kind).toBe(SpanKind.SERVER);
    expect(inference?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(inference?.spanContext().traceId).toBe(server?.spanContext().traceId);
    expect(inference?.attributes).toMatchObject({
      'llm.provider': 'ollama',
      'llm.model': 'dev-model:latest',
      'llm.streaming': false,
    });
    expect(response.headers.traceresponse).toContain(server?.spanContext().traceId);
  });

  it('prepends the configured system prompt when the request has none', async () => {
    const response = await postProcess('[[dev-model:status=400]]', { stream: false });
    // The dev model answers 400 to anything carrying that fault; what matters is the prompt sent.
    expect(response.statusCode).toBe(400);
    const inference = (await finishedSpans()).find((s) => s.name === 'llm.inference');
    // Two messages reached the model: the system prompt and the user's.
    expect(inference?.attributes['llm.prompt_messages']).toBe(2);
  });

  it.each([
    [429, 429, 'AUTOBOT_ERR_LLM_RATE_LIMITED'],
    [404, 404, 'AUTOBOT_ERR_LLM_MODEL_NOT_FOUND'],
    [400, 400, 'AUTOBOT_ERR_LLM_BAD_REQUEST'],
    [500, 502, 'AUTOBOT_ERR_LLM_SERVER'],
    [503, 502, 'AUTOBOT_ERR_LLM_SERVER'],
  ])(
    'maps a model answering %i to %i %s, with both spans marked as errors',
    async (modelStatus, status, code) => {
      const response = await postProcess(`hello [[dev-model:status=${modelStatus}]]`, { stream: false });
      expect(response.statusCode).toBe(status);
      const body = response.json();
      expect(body.error).toMatchObject({ code, service: 'llm:ollama' });
      const spans = await finishedSpans();
      const inference = spans.find((s) => s.name === 'llm.inference');
      expect(inference?.status.code).toBe(SpanStatusCode.ERROR);
      expect(inference?.attributes['llm.error_code']).toBe(code);
      expect(inference?.attributes['error.type']).toBe('LlmProviderError');
      const server = spans.find((s) => s.name === 'HTTP POST /api/process');
      expect(body.traceId).toBe(server?.spanContext().traceId);
      expect(server?.attributes['http.response.status_code']).toBe(status);
      // The thrown error is recorded on the server span (tracing's onError hook).
      expect(server?.events.some((e) => e.name === 'exception')).toBe(true);
      if (status >= 500) expect(server?.status.code).toBe(SpanStatusCode.ERROR);
    },
  );

  it('maps a failure before the stream starts to an error answer, not a 200', async () => {
    const response = await postProcess('hello [[dev-model:status=429]]');
    expect(response.statusCode).toBe(429);
    expect(response.json().error.code).toBe('AUTOBOT_ERR_LLM_RATE_LIMITED');
  });

  it('ends a stream that breaks mid-way with one error line and marks the server span', async () => {
    const response = await postProcess('tell me a long story [[dev-model:error-after=2]]');
    expect(response.statusCode).toBe(200);
    const lines = response.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.at(-1)).toMatchObject({ error: { code: 'AUTOBOT_ERR_LLM_STREAM_BROKEN' } });
    expect(lines.filter((line) => 'error' in line)).toHaveLength(1);
    expect(lines.some((line) => line.done === true)).toBe(false);
    const spans = await finishedSpans();
    const server = spans.find((s) => s.name === 'HTTP POST /api/process');
    expect(server?.events.some((e) => e.name === 'exception')).toBe(true);
  });

  it('refuses a request without messages with AUTOBOT_ERR_SERVICE_BAD_REQUEST and calls no model', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/process', payload: { messages: [] } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('AUTOBOT_ERR_SERVICE_BAD_REQUEST');
    expect((await finishedSpans()).some((s) => s.name === 'llm.inference')).toBe(false);
  });
});

describe('health and metrics', () => {
  it('answer without making spans', async () => {
    const health = await app.inject({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: 'ok',
      service: 'autobot-ai-stack',
      provider: 'ollama',
      model: 'dev-model:latest',
      devModel: true,
    });
    const metrics = await app.inject({ method: 'GET', url: '/api/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.json()).toHaveProperty('processed');
    expect(await finishedSpans()).toEqual([]);
  });
});
