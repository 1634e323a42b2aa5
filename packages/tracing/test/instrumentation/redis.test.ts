import { freePort, startRedisServer } from '@autobot/test-kit';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentRedis, redisStatement } from '../../src/index.js';
import { initInMemoryTracing } from '../helpers/in-memory-tracing.js';

const { tracing, spans, reset } = initInMemoryTracing('redis-user');
tracing.instrumentAll(undefined);
let server: Awaited<ReturnType<typeof startRedisServer>>;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url, { lazyConnect: true });
  await redis.connect();
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
  await tracing.shutdown();
});
beforeEach(reset);

describe('Redis spans (ioredis tracing channels, real redis-server)', () => {
  it('names spans redis.{command} under the active span, with keys but never values', async () => {
    await tracing.span('test.parent', async () => {
      await redis.set('chat:1', 'canary-value-1');
      expect(await redis.get('chat:1')).toBe('canary-value-1');
      await redis.hset('session:9', 'token', 'canary-value-2');
    });
    const all = await spans();
    const parent = all.find((s) => s.name === 'test.parent');
    const names = all.filter((s) => s.kind === SpanKind.CLIENT).map((s) => s.name);
    expect(names).toEqual(['redis.set', 'redis.get', 'redis.hset']);
    const get = all.find((s) => s.name === 'redis.get');
    expect(get?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(get?.attributes).toMatchObject({
      'db.system.name': 'redis',
      'db.operation.name': 'GET',
      'db.query.text': 'GET chat:1',
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'db.namespace': '0',
    });
    expect(all.find((s) => s.name === 'redis.set')?.attributes['db.query.text']).toBe('SET chat:1 ?');
    expect(JSON.stringify(all.map((s) => s.attributes))).not.toContain('canary-value');
  });

  const clientSpans = async () => (await spans()).filter((s) => s.kind === SpanKind.CLIENT);

  it('makes one span with the command count for MULTI', async () => {
    await tracing.span('test.parent', () => redis.multi().set('a', '1').incr('a').get('a').exec());
    const all = await clientSpans();
    expect(all.map((s) => s.name)).toEqual(['redis.multi']);
    expect(all[0]?.attributes['db.operation.batch.size']).toBe(3);
    // the connection still traces single commands afterwards
    await tracing.span('test.parent', () => redis.get('a'));
    expect((await clientSpans()).map((s) => s.name)).toEqual(['redis.multi', 'redis.get']);
  });

  it('starts no trace for a command outside any span, unless root spans are configured', async () => {
    await redis.get('a');
    expect(await spans()).toEqual([]);
    instrumentRedis({ rootSpans: true });
    try {
      await redis.get('a');
      const [root] = await spans();
      expect(root?.name).toBe('redis.get');
      expect(root?.parentSpanContext).toBeUndefined();
    } finally {
      instrumentRedis({ rootSpans: false });
    }
  });

  it('never traces the connection handshake (CLIENT SETINFO), even inside a span or with root spans', async () => {
    instrumentRedis({ rootSpans: true });
    const fresh = new Redis(server.url, { lazyConnect: true });
    try {
      await tracing.span('test.lazy-connect', async () => {
        await fresh.connect();
        await fresh.get('a');
      });
      const names = (await clientSpans()).map((s) => s.name);
      // the command itself is traced, so the subscription is live
      expect(names).toContain('redis.get');
      expect(names).not.toContain('redis.client');
    } finally {
      fresh.disconnect();
      instrumentRedis({ rootSpans: false });
    }
  });

  it('marks a failing command as error and the caller sees the Redis error unchanged', async () => {
    await redis.set('str', 'x');
    const error = await tracing.span('test.parent', () => redis.incr('str')).catch((e) => e);
    expect(error?.name).toBe('ReplyError');
    const incr = (await spans()).find((s) => s.name === 'redis.incr');
    expect(incr?.status.code).toBe(SpanStatusCode.ERROR);
    expect(incr?.attributes['error.type']).toBe('ReplyError');
  });

  it('fails commands against a Redis that is down as Redis would, without hanging', async () => {
    const port = await freePort();
    const down = new Redis({
      port,
      host: '127.0.0.1',
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    down.on('error', () => {}); // the application's own handler; ioredis logs unhandled ones
    const started = performance.now();
    const error = await tracing.span('test.down', () => down.get('k')).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(performance.now() - started).toBeLessThan(3000);
    down.disconnect();
  });

  it('serializes statements keys-only', () => {
    expect(redisStatement('get', ['k'])).toBe('GET k');
    expect(redisStatement('set', ['k', 'v', 'EX', '10'])).toBe('SET k ? ? ?');
    expect(redisStatement('hset', ['h', 'f', 'v'])).toBe('HSET h ? ?');
    expect(redisStatement('mget', ['a', 'b'])).toBe('MGET a b');
    expect(redisStatement('auth', ['?'])).toBe('AUTH ?');
  });
});
