import type { Env } from '@autobot/tracing';
import { redactUrl } from '@autobot/tracing';
import type { FastifyRequest, FastifyServerOptions } from 'fastify';

/**
 * The `logger` option of the reference services' Fastify apps: off unless `enabled`; level from
 * `AUTOBOT_LOG_LEVEL` (default `warn`); request URLs logged with their secrets redacted (URL
 * credentials, `?token=…`, `?api_key=…` — the same rule as the spans). `stream` is for tests.
 */
export function serviceLogger(
  enabled: boolean | undefined,
  env: Env = process.env,
  stream?: { write(line: string): void },
): FastifyServerOptions['logger'] {
  if (!enabled) return false;
  return {
    level: env.AUTOBOT_LOG_LEVEL?.trim() || 'warn',
    serializers: { req: serializeRequest },
    ...(stream ? { stream } : {}),
  };
}

/** Fastify's default request serializer, with the URL redacted. */
export function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
