import { getTracingService } from '@autobot/tracing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildBackendApp,
  Downstreams,
  findUrl,
  MemoryConversationStore,
  RedisConversationStore,
  resolveBackendConfig,
} from '../src/index.js';

getTracingService().initialize({ serviceName: 'backend-test', enabled: false }, {});
const config = resolveBackendConfig({
  AUTOBOT_CORS_ORIGINS: 'http://front.test',
  AUTOBOT_REDIS_URL: 'memory',
});
const downstreams = new Downstreams(
  { 'ai-stack': 'http://127.0.0.1:1', 'npu-worker': 'http://127.0.0.1:1', browser: 'http://127.0.0.1:1' },
  2000,
);
const app = buildBackendApp({ config, store: new MemoryConversationStore(), downstreams });
afterAll(() => app.close());

describe('backend', () => {
  it('finds the first URL without trailing punctuation', () => {
    expect(findUrl('look at http://127.0.0.1:5173/demo/page.html, please')).toBe(
      'http://127.0.0.1:5173/demo/page.html',
    );
    expect(findUrl('no link here')).toBeUndefined();
  });

  it('rejects a bad chat body with a coded 400', async () => {
    for (const payload of [
      {},
      { message: '' },
      { message: 'x', conversationId: '../etc' },
      { message: 'x'.repeat(8001) },
    ]) {
      const response = await app.inject({ method: 'POST', url: '/api/chat', payload });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('AUTOBOT_ERR_SERVICE_BAD_REQUEST');
    }
    const blank = await app.inject({ method: 'POST', url: '/api/chat', payload: { message: '   ' } });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.code).toBe('AUTOBOT_ERR_BACKEND_EMPTY_MESSAGE');
  });

  it('answers CORS preflights for the frontend origin with the trace headers allowed', async () => {
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/api/chat',
      headers: { origin: 'http://front.test', 'access-control-request-method': 'POST' },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('http://front.test');
    expect(response.headers['access-control-allow-headers']).toContain('traceparent');
    const other = await app.inject({
      method: 'OPTIONS',
      url: '/api/chat',
      headers: { origin: 'http://evil.test' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('names the service that is down', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/chat', payload: { message: 'hi' } });
    expect(response.statusCode).toBe(502);
    expect(response.json().error).toMatchObject({
      code: 'AUTOBOT_ERR_BACKEND_DOWNSTREAM_UNAVAILABLE',
      service: 'npu-worker',
    });
  });

  it('answers 503 AUTOBOT_ERR_BACKEND_REDIS when Redis is unreachable, and health says so', async () => {
    const store = new RedisConversationStore('redis://127.0.0.1:1');
    const redisApp = buildBackendApp({ config, store, downstreams });
    try {
      const response = await redisApp.inject({
        method: 'POST',
        url: '/api/chat',
        payload: { message: 'hi' },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json().error).toMatchObject({ code: 'AUTOBOT_ERR_BACKEND_REDIS', service: 'redis' });
      const health = await redisApp.inject({ method: 'GET', url: '/api/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json().redis).toBe('unreachable');
    } finally {
      await redisApp.close();
      await store.close();
    }
  });
});
