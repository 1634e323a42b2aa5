import { Writable } from 'node:stream';
import { SpanKind } from '@opentelemetry/api';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentFastify } from '../../src/instrumentation/fastify.js';
import { initInMemoryTracing } from '../helpers/in-memory-tracing.js';

const { tracing, spans, reset } = initInMemoryTracing('log-correlation-test');
afterAll(() => tracing.shutdown());
beforeEach(() => reset());

type Line = Record<string, unknown>;

/** A Fastify app logging JSON lines into an array, with `/work` logging through three loggers. */
function appWithLines(options: Parameters<typeof Fastify>[0] = {}): { app: FastifyInstance; lines: Line[] } {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()));
      cb();
    },
  });
  const app = Fastify({ ...options, logger: { level: 'info', stream, ...(options.logger as object) } });
  app.get('/work', async (request) => {
    request.log.info('from the request logger');
    request.log.child({ part: 'db' }).info('from a child the handler made');
    request.log.info({ trace_id: 'set-by-the-caller' }, 'explicit fields win');
    await new Promise((r) => setTimeout(r, 5));
    return { bound: Object.keys(request.log.bindings()) };
  });
  instrumentFastify(app);
  return { app, lines };
}

async function serverIds(): Promise<{ traceId: string; spanId: string }[]> {
  return (await spans())
    .filter((s) => s.kind === SpanKind.SERVER)
    .map((s) => ({ traceId: s.spanContext().traceId, spanId: s.spanContext().spanId }));
}

describe('log correlation (trace_id / span_id on request log lines)', () => {
  it('puts the ids on every line of the request, from any logger derived from its own', async () => {
    const { app, lines } = appWithLines();
    const response = await app.inject({ url: '/work' });
    const [ids] = await serverIds();
    const of = (msg: string) => lines.find((l) => l.msg === msg);
    expect(of('from the request logger')).toMatchObject({ trace_id: ids?.traceId, span_id: ids?.spanId });
    expect(of('from a child the handler made')).toMatchObject({ trace_id: ids?.traceId, part: 'db' });
    expect(of('request completed')).toMatchObject({ trace_id: ids?.traceId, span_id: ids?.spanId });
    // A field the log call sets itself is not overwritten.
    expect(of('explicit fields win')?.trace_id).toBe('set-by-the-caller');
    // Tagged, not wrapped: the request's logger is still Fastify's (no second child per request).
    expect(response.json().bound).not.toContain('trace_id');
    await app.close();
  });

  it('keeps ids apart across concurrent requests, and off lines outside a request', async () => {
    const { app, lines } = appWithLines();
    await Promise.all([
      app.inject({ url: '/work' }),
      app.inject({ url: '/work' }),
      app.inject({ url: '/work' }),
    ]);
    app.log.info('outside any request');
    const ids = await serverIds();
    expect(ids).toHaveLength(3);
    for (const { traceId, spanId } of ids) {
      const mine = lines.filter((l) => l.trace_id === traceId && l.msg !== 'explicit fields win');
      // the request logger, the handler's child, "request completed" ("incoming request" precedes the hook)
      expect(mine.length).toBeGreaterThanOrEqual(3);
      for (const line of mine) expect(line.span_id).toBe(spanId);
    }
    expect(lines.find((l) => l.msg === 'outside any request')).not.toHaveProperty('trace_id');
    await app.close();
  });

  it("composes with the app's own pino mixin", async () => {
    const { app, lines } = appWithLines({ logger: { mixin: () => ({ tenant: 't-1' }) } });
    await app.inject({ url: '/work' });
    const [ids] = await serverIds();
    expect(lines.find((l) => l.msg === 'from the request logger')).toMatchObject({
      tenant: 't-1',
      trace_id: ids?.traceId,
    });
    expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({ tenant: 't-1' });
    await app.close();
  });

  it('wraps instead of tagging when a custom childLoggerFactory shares one logger between requests', async () => {
    let shared: FastifyBaseLogger | undefined;
    const { app, lines } = appWithLines({
      childLoggerFactory(logger, bindings, opts) {
        shared ??= logger.child(bindings, opts);
        return shared;
      },
    });
    await Promise.all([app.inject({ url: '/work' }), app.inject({ url: '/work' })]);
    const ids = await serverIds();
    expect(ids).toHaveLength(2);
    for (const { traceId, spanId } of ids) {
      const line = lines.find((l) => l.msg === 'from the request logger' && l.trace_id === traceId);
      expect(line?.span_id).toBe(spanId);
    }
    await app.close();
  });

  it('works the same with logging off (Fastify’s no-op logger)', async () => {
    const app = Fastify({ logger: false });
    app.get('/quiet', async (request) => {
      request.log.info('nowhere');
      return 'ok';
    });
    instrumentFastify(app);
    expect((await app.inject({ url: '/quiet' })).body).toBe('ok');
    await app.close();
  });
});
