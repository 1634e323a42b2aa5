import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { bindContext, bindEmitter } from '../src/index.js';
import { initInMemoryTracing } from './helpers/in-memory-tracing.js';

const { tracing } = initInMemoryTracing('context-test');
afterAll(() => tracing.shutdown());

// A process-wide emitter, created outside any request, and a "driver" that emits from its own
// (root) context — the shape of a shared connection or event bus.
const bus = new EventEmitter();
const emitLater = () => setTimeout(() => bus.emit('message'), 5);

describe('context across async boundaries', () => {
  it('survives await, timers and stream callbacks', async () => {
    await tracing.span('test.req', async (span) => {
      const id = span.spanContext().traceId;
      await new Promise((r) => setTimeout(r, 1));
      expect(tracing.currentTraceId()).toBe(id);
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          expect(tracing.currentTraceId()).toBe(id);
          resolve();
        }),
      );
      const seen: (string | undefined)[] = [];
      for await (const _chunk of Readable.from(['a', 'b'])) seen.push(tracing.currentTraceId());
      expect(seen).toEqual([id, id]);
    });
  });

  it('loses the context on a shared emitter driven from elsewhere (the problem)…', async () => {
    const driver = tracing.withTraceContext({}, () => emitLater); // bound to no trace
    const seen = await tracing.span('test.req', async () => {
      const result = new Promise<string | undefined>((resolve) =>
        bus.once('message', () => resolve(tracing.currentTraceId())),
      );
      tracing.withTraceContext({}, driver);
      return result;
    });
    expect(seen).toBeUndefined();
  });

  it('…which bindContext fixes for one callback', async () => {
    let expected: string | undefined;
    const seen = await tracing.span('test.req', async (span) => {
      expected = span.spanContext().traceId;
      const result = new Promise<string | undefined>((resolve) =>
        bus.once(
          'message',
          bindContext(() => resolve(tracing.currentTraceId())),
        ),
      );
      tracing.withTraceContext({}, emitLater);
      return result;
    });
    expect(seen).toBe(expected);
  });

  it('…and bindEmitter fixes for every listener of an emitter', async () => {
    const local = new EventEmitter();
    let expected: string | undefined;
    const seen = await tracing.span('test.req', async (span) => {
      expected = span.spanContext().traceId;
      bindEmitter(local);
      const result = new Promise<string | undefined>((resolve) =>
        local.once('message', () => resolve(tracing.currentTraceId())),
      );
      tracing.withTraceContext({}, () => setTimeout(() => local.emit('message'), 5));
      return result;
    });
    expect(seen).toBe(expected);
  });
});
