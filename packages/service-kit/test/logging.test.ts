import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installErrorHandler, serviceLogger } from '../src/index.js';

function app(level: string) {
  const lines: string[] = [];
  const server = Fastify({
    logger: serviceLogger(true, { AUTOBOT_LOG_LEVEL: level }, { write: (line) => lines.push(line) }),
  });
  installErrorHandler(server, 'autobot-test');
  server.get('/api/thing', async () => ({ ok: true }));
  return { server, lines };
}

describe('service logging', () => {
  it('is off unless enabled; level from AUTOBOT_LOG_LEVEL, default warn', () => {
    expect(serviceLogger(false)).toBe(false);
    expect(serviceLogger(true, {})).toMatchObject({ level: 'warn' });
    expect(serviceLogger(true, { AUTOBOT_LOG_LEVEL: 'debug' })).toMatchObject({ level: 'debug' });
  });

  it('logs request URLs with URL secrets redacted', async () => {
    const { server, lines } = app('info');
    const res = await server.inject({
      method: 'GET',
      url: '/api/thing?token=canary-1&api_key=canary-2&page=2',
    });
    expect(res.statusCode).toBe(200);
    await server.close();
    const log = lines.join('');
    expect(log).toContain('/api/thing?token=REDACTED&api_key=REDACTED&page=2');
    expect(log).not.toMatch(/canary-[12]/);
  });

  it('an unknown route is a coded 404 naming the path; the query is neither logged nor echoed', async () => {
    const { server, lines } = app('debug');
    const res = await server.inject({ method: 'POST', url: '/api/nowhere?api_key=canary-3' });
    await server.close();
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({
      error: {
        code: 'AUTOBOT_ERR_SERVICE_NOT_FOUND',
        message: 'no route POST /api/nowhere',
        service: 'autobot-test',
      },
    });
    expect(res.body).not.toContain('canary-3');
    expect(lines.join('')).not.toContain('canary-3');
  });
});
