import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getTracingService, setTracingLogger, TracingService } from '../src/index.js';

class ValidationError extends Error {}

const exporter = new InMemorySpanExporter();
const tracing = getTracingService();
const warnings: string[] = [];

beforeAll(() => {
  setTracingLogger({ warn: (m) => warnings.push(m), info: () => {} });
  const ok = tracing.initialize(
    {
      serviceName: 'test-svc',
      serviceVersion: '1.2.3',
      spanExporter: exporter,
      handleSignals: false,
      scheduledDelayMs: 10,
    },
    {},
  );
  expect(ok).toBe(true);
});
afterAll(async () => {
  await tracing.shutdown();
  setTracingLogger(undefined);
});
beforeEach(() => {
  exporter.reset();
  warnings.length = 0;
});

const finished = async () => {
  await tracing.forceFlush();
  return exporter.getFinishedSpans();
};

describe('TracingService', () => {
  it('is a process singleton', () => {
    expect(getTracingService()).toBe(tracing);
    expect(tracing.enabled).toBe(true);
    expect(tracing.config?.serviceName).toBe('test-svc');
  });

  it('runs sync functions in an active span and returns their value', async () => {
    const result = tracing.span('unit.sync', { attributes: { a: 1 } }, (span) => {
      expect(trace.getActiveSpan()).toBe(span);
      tracing.setAttribute('result_count', 42);
      tracing.addEvent('checkpoint_reached');
      return 'value';
    });
    expect(result).toBe('value');
    const [span] = await finished();
    expect(span?.name).toBe('unit.sync');
    expect(span?.attributes).toMatchObject({ a: 1, result_count: 42 });
    expect(span?.events.map((e) => e.name)).toEqual(['checkpoint_reached']);
    expect(span?.resource.attributes).toMatchObject({
      'service.name': 'test-svc',
      'service.version': '1.2.3',
      'service.namespace': 'autobot',
      'deployment.environment.name': 'development',
    });
    expect(span?.resource.attributes['service.instance.id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof span?.resource.attributes['host.name']).toBe('string');
  });

  it('ends async spans when the promise settles, with nesting preserved across await', async () => {
    const value = await tracing.span('unit.outer', async () => {
      await new Promise((r) => setTimeout(r, 5));
      return tracing.span('unit.inner', { kind: SpanKind.CLIENT }, async () => {
        await new Promise((r) => setImmediate(r));
        return 7;
      });
    });
    expect(value).toBe(7);
    const spans = await finished();
    const outer = spans.find((s) => s.name === 'unit.outer');
    const inner = spans.find((s) => s.name === 'unit.inner');
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(inner?.kind).toBe(SpanKind.CLIENT);
  });

  it('records a thrown error (status, exception event, error.type) and rethrows the same object', async () => {
    const error = new ValidationError('bad input');
    let caught: unknown;
    try {
      tracing.span('unit.fails', () => {
        throw error;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(error);
    const rejected = tracing.span('unit.rejects', async () => {
      throw error;
    });
    await expect(rejected).rejects.toBe(error);

    const spans = await finished();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad input' });
      expect(span.attributes['error.type']).toBe('ValidationError');
      expect(span.events[0]?.name).toBe('exception');
      expect(span.events[0]?.attributes?.['exception.message']).toBe('bad input');
    }
  });

  it('ends every span exactly once', async () => {
    tracing.span('unit.once', (span) => {
      span.end(); // a user ending it early must not produce a second export
      return undefined;
    });
    await tracing.span('unit.once_async', async () => undefined);
    const spans = await finished();
    expect(spans.map((s) => s.name).sort()).toEqual(['unit.once', 'unit.once_async']);
  });

  it('records non-Error throwables without crashing', async () => {
    expect(() =>
      tracing.span('unit.throws_string', () => {
        throw 'plain string';
      }),
    ).toThrow('plain string');
    const [span] = await finished();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.status.message).toBe('plain string');
  });

  it('setError records on the active span', async () => {
    tracing.span('unit.set_error', () => tracing.setError(new TypeError('nope')));
    const [span] = await finished();
    expect(span?.attributes['error.type']).toBe('TypeError');
  });

  it('getTraceContext carries traceparent, b3 and baggage of the active span', () => {
    tracing.span('unit.ctx', (span) => {
      const headers = tracing.getTraceContext();
      const { traceId, spanId } = span.spanContext();
      // 03: sampled + random trace id (a new trace; W3C Trace Context Level 2 §3.2.2.5.2)
      expect(headers.traceparent).toBe(`00-${traceId}-${spanId}-03`);
      expect(headers.b3).toBe(`${traceId}-${spanId}-1`);
      expect(tracing.currentTraceId()).toBe(traceId);
    });
    expect(tracing.currentTraceId()).toBeUndefined();
  });

  it('withTraceContext continues the caller trace from W3C or B3 headers', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    tracing.withTraceContext({ traceparent: `00-${traceId}-${parent}-01`, tracestate: 'a=b' }, () =>
      tracing.span('unit.w3c_child', () => {
        expect(tracing.getTraceContext().tracestate).toBe('a=b');
      }),
    );
    tracing.withTraceContext({ 'X-B3-TraceId': traceId, 'X-B3-SpanId': parent, 'X-B3-Sampled': '1' }, () =>
      tracing.span('unit.b3_child', () => undefined),
    );
    tracing.withTraceContext({ traceparent: 'garbage' }, () =>
      tracing.span('unit.fresh_root', () => undefined),
    );
    const spans = await finished();
    for (const name of ['unit.w3c_child', 'unit.b3_child']) {
      const span = spans.find((s) => s.name === name);
      expect(span?.spanContext().traceId).toBe(traceId);
      expect(span?.parentSpanContext?.spanId).toBe(parent);
    }
    const root = spans.find((s) => s.name === 'unit.fresh_root');
    expect(root?.spanContext().traceId).not.toBe(traceId);
    expect(root?.parentSpanContext).toBeUndefined();
  });

  it('warns once per badly named custom span in development', async () => {
    tracing.span('Bad Name', () => undefined);
    tracing.span('Bad Name', () => undefined);
    tracing.span('llm.inference', () => undefined);
    tracing.span('HTTP GET /api/chat/:id', () => undefined);
    expect(warnings.filter((w) => w.includes('Bad Name'))).toHaveLength(1);
    expect(warnings.join('\n')).not.toContain('span name "llm.inference"');
    expect(warnings.join('\n')).not.toContain('HTTP GET');
  });

  it('counts exported spans', async () => {
    await tracing.forceFlush();
    const before = tracing.stats().exported;
    tracing.span('unit.count', () => undefined);
    await tracing.forceFlush();
    expect(tracing.stats().exported).toBe(before + 1);
  });

  it('warns on a second initialize and keeps the first configuration', () => {
    expect(tracing.initialize({ serviceName: 'other', handleSignals: false }, {})).toBe(true);
    expect(tracing.config?.serviceName).toBe('test-svc');
    expect(warnings.some((w) => w.includes('called twice'))).toBe(true);
  });

  it('an uninitialized service is a no-op that still runs user code', async () => {
    const idle = new TracingService();
    expect(idle.enabled).toBe(false);
    expect(idle.span('unit.idle', () => 5)).toBe(5);
    await expect(idle.span('unit.idle', async () => 6)).resolves.toBe(6);
    expect(idle.getTraceContext()).toEqual({});
    expect(idle.startSpan('x.y').isRecording()).toBe(false);
    await idle.forceFlush();
    await idle.shutdown();
  });
});
