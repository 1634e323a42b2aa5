import { getTracingService } from '@autobot/tracing';
import Fastify, { type FastifyInstance } from 'fastify';
import { serviceLogger } from './logging.js';
import { installErrorHandler } from './run-service.js';

export interface ServiceAppOptions {
  /** Log requests (redacted URLs); default as `serviceLogger` decides. */
  logger?: boolean;
  /**
   * Hooks that must run before tracing's, e.g. CORS preflights answered without a span.
   * Called after the app is created, before the error handler and the instrumentation.
   */
  before?: (app: FastifyInstance) => void;
}

/**
 * A Fastify app set up the way every AutoBot service is: the redacting logger, the coded error
 * answers (`installErrorHandler`) and tracing on every route (`instrumentAll`: server spans,
 * Redis, fetch). Routes are the caller's.
 */
export function createServiceApp(serviceName: string, options: ServiceAppOptions = {}): FastifyInstance {
  const app = Fastify({ logger: serviceLogger(options.logger) });
  options.before?.(app);
  installErrorHandler(app, serviceName);
  getTracingService().instrumentAll(app);
  return app;
}
