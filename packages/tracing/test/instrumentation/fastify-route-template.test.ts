import Fastify, { type FastifyRequest } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { routeTemplate } from '../../src/instrumentation/fastify.js';

// The server span's name and `http.route` come from routeTemplate(), which reads the route
// context Fastify builds `request.routeOptions` from. Whatever the route shape, both must agree.
const seen: Array<{ fromContext: string | undefined; fromGetter: string | undefined }> = [];
const record = (request: FastifyRequest) => {
  seen.push({ fromContext: routeTemplate(request), fromGetter: request.routeOptions.url });
  return { ok: true };
};
const app = Fastify();
app.get('/static', async (request) => record(request));
app.get('/items/:id', async (request) => record(request));
app.get('/files/*', async (request) => record(request));
app.route({
  method: 'GET',
  url: '/versioned',
  constraints: { version: '1.0.0' },
  handler: async (request) => record(request),
});
app.register(
  async (child) => {
    child.get('/nested/:name', async (request) => record(request));
  },
  { prefix: '/v2' },
);
app.setNotFoundHandler(async (request) => record(request));
afterAll(() => app.close());

describe('routeTemplate', () => {
  it('agrees with request.routeOptions.url for every kind of route, 404 included', async () => {
    for (const url of ['/static', '/items/7', '/files/a/b.txt', '/v2/nested/x', '/nope/404'])
      await app.inject({ url });
    await app.inject({ url: '/versioned', headers: { 'accept-version': '1.x' } });
    expect(seen).toHaveLength(6);
    for (const entry of seen) expect(entry.fromContext).toBe(entry.fromGetter);
    expect(seen.map((entry) => entry.fromContext)).toEqual([
      '/static',
      '/items/:id',
      '/files/*',
      '/v2/nested/:name',
      undefined,
      '/versioned',
    ]);
  });
});
