import type { FastifyInstance } from 'fastify';

const ALLOWED_HEADERS = 'content-type, traceparent, tracestate, b3, baggage';

/**
 * CORS for the browser frontend, by hand (one hook): allowed origins get their origin echoed,
 * the trace headers are allowed on requests, and `traceresponse` is exposed. Preflights are
 * answered here, before the tracing hook, so they make no spans (browsers send no trace context
 * on preflights). Register before `instrumentAll`.
 */
export function installCors(app: FastifyInstance, origins: readonly string[]): void {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (origin && (any || allowed.has(origin))) {
      reply.header('access-control-allow-origin', any ? '*' : origin);
      reply.header('vary', 'Origin');
      reply.header('access-control-expose-headers', 'traceresponse');
      if (request.method === 'OPTIONS') {
        reply
          .header('access-control-allow-methods', 'GET, POST, OPTIONS')
          .header('access-control-allow-headers', ALLOWED_HEADERS)
          .header('access-control-max-age', '600')
          .code(204)
          .send();
        return;
      }
    }
    done();
  });
}
