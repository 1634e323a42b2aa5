import { createServiceApp } from '@autobot/service-kit';
import { getTracingService } from '@autobot/tracing';
import type { FastifyInstance } from 'fastify';
import { type ChatCounters, registerChatRoute } from './chat.js';
import type { BackendConfig } from './config.js';
import type { ConversationStore } from './conversation-store.js';
import { installCors } from './cors.js';
import type { Downstreams } from './downstream.js';

export const SERVICE_NAME = 'autobot-backend';

/**
 * The backend (the spec's main host): CORS for the frontend, tracing on every route
 * (`instrumentAll`: server spans, Redis, fetch), `POST /api/chat`, `/api/health` (Redis
 * reachability; no span) and `/api/metrics`.
 */
export function buildBackendApp(
  deps: { config: BackendConfig; store: ConversationStore; downstreams: Downstreams },
  options: { logger?: boolean } = {},
): FastifyInstance {
  const app = createServiceApp(SERVICE_NAME, {
    ...options,
    before: (created) => installCors(created, deps.config.corsOrigins),
  });
  const tracing = getTracingService();
  const counters: ChatCounters = { chats: 0, failed: 0 };

  app.get('/api/health', async (_request, reply) => {
    const redis = await deps.store.ping();
    return reply.code(redis ? 200 : 503).send({
      status: redis ? 'ok' : 'degraded',
      service: SERVICE_NAME,
      store: deps.store.kind,
      redis: deps.store.kind === 'memory' ? 'not configured' : redis ? 'ok' : 'unreachable',
      downstreams: deps.downstreams.urls,
    });
  });
  app.get('/api/metrics', async () => ({ ...counters, tracing: tracing.stats() }));
  registerChatRoute(app, { ...deps, counters });
  return app;
}
