import { getTracingService } from '@autobot/tracing';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNpuWorkerApp, cosineSimilarity, embedText, resolveNpuWorkerConfig } from '../src/index.js';

describe('embedText (feature hashing)', () => {
  it('is deterministic, unit length, and closer for texts that share words', () => {
    const a = embedText('restart the redis server on vm3', 384);
    expect(embedText('restart the redis server on vm3', 384).vector).toEqual(a.vector);
    expect(Math.hypot(...a.vector)).toBeCloseTo(1, 10);
    const near = embedText('please restart redis on vm3', 384).vector;
    const far = embedText('bake a chocolate cake tonight', 384).vector;
    expect(cosineSimilarity(a.vector, near)).toBeGreaterThan(cosineSimilarity(a.vector, far) + 0.2);
    expect(a.tokens).toBe(6);
  });

  it('gives the zero vector for text without words', () => {
    expect(embedText('  !!! ', 16).vector.every((v) => v === 0)).toBe(true);
  });
});

describe('POST /api/embed', () => {
  const exporter = new InMemorySpanExporter();
  const tracing = getTracingService();
  tracing.initialize(
    { serviceName: 'npu-test', spanExporter: exporter, handleSignals: false, scheduledDelayMs: 1 },
    {},
  );
  const app = buildNpuWorkerApp(
    resolveNpuWorkerConfig({ AUTOBOT_NPU_DIMENSIONS: '64', AUTOBOT_NPU_MAX_CHARS: '50' }),
  );
  afterAll(async () => {
    await app.close();
    await tracing.shutdown();
  });

  it('answers vectors and records npu.inference with model, device, sizes', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/embed',
      payload: { input: ['hello world', 'bye'] },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ model: 'autobot-hash-embed-v1', device: 'cpu', dimensions: 64, tokens: 3 });
    expect(body.embeddings).toHaveLength(2);
    await tracing.forceFlush();
    const span = exporter.getFinishedSpans().find((s) => s.name === 'npu.inference');
    expect(span?.attributes).toMatchObject({
      'npu.model': 'autobot-hash-embed-v1',
      'npu.device': 'cpu',
      'npu.input_count': 2,
      'npu.input_chars': 14,
      'npu.input_tokens': 3,
      'npu.vector_dimensions': 64,
    });
    const server = exporter.getFinishedSpans().find((s) => s.name === 'HTTP POST /api/embed');
    expect(span?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
  });

  it('refuses bad input with a coded 4xx', async () => {
    const missing = await app.inject({ method: 'POST', url: '/api/embed', payload: { text: 'x' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('AUTOBOT_ERR_SERVICE_BAD_REQUEST');
    const large = await app.inject({ method: 'POST', url: '/api/embed', payload: { input: 'x'.repeat(51) } });
    expect(large.statusCode).toBe(413);
    expect(large.json().error.code).toBe('AUTOBOT_ERR_NPU_INPUT_TOO_LARGE');
  });
});
