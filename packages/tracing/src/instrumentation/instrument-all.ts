import type { FastifyInstance } from 'fastify';
import { instrumentFastify, type ServerTracingOptions } from './fastify.js';
import { instrumentFetch } from './fetch.js';
import { instrumentRedis } from './redis.js';

/** What `instrumentAll` switched on. */
export interface InstrumentationResult {
  /** Server spans for the Fastify app passed in. */
  fastify: boolean;
  /** `redis.{command}` spans for every ioredis client in the process. */
  redis: boolean;
  /** Client spans for every `fetch` not made through `TracedHttpClient`. */
  fetch: boolean;
}

/**
 * Options of {@link instrumentAll}: the server options, plus switches for the process-wide pieces
 * (both default on; `false` skips them, and the result reports them `false`).
 */
export interface InstrumentAllOptions extends ServerTracingOptions {
  /** Leave Redis alone. */
  redis?: boolean;
  /** Leave global fetch alone (TracedHttpClient calls are traced either way). */
  fetch?: boolean;
}

/**
 * The spec's `instrument_all(app)`: the Fastify app, Redis and outgoing HTTP in one call. Safe
 * to call more than once (process-wide subscriptions are made once); each piece that fails is
 * reported false instead of throwing.
 */
export function instrumentAll(
  app: FastifyInstance | undefined,
  options: InstrumentAllOptions = {},
): InstrumentationResult {
  return {
    fastify:
      app !== undefined &&
      attempt(() => {
        instrumentFastify(app, options);
        return true;
      }),
    redis: options.redis !== false && attempt(instrumentRedis),
    fetch: options.fetch !== false && attempt(instrumentFetch),
  };
}

function attempt(fn: () => boolean): boolean {
  try {
    return fn();
  } catch {
    return false;
  }
}
