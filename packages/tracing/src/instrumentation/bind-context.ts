import type { EventEmitter } from 'node:events';
import { context } from '@opentelemetry/api';

/**
 * Bind `fn` to the trace context active now, so it runs in that context whenever it is called —
 * for callbacks that Node invokes from elsewhere (a shared EventEmitter, a connection pool, a
 * queue drained by another request).
 */
export function bindContext<F extends (...args: never[]) => unknown>(fn: F): F {
  return context.bind(context.active(), fn);
}

/**
 * Bind every listener later added to `emitter` to the trace context active now. Use it for
 * emitters created outside the request (a long-lived socket, a process-wide bus) whose events
 * belong to the request that subscribed.
 */
export function bindEmitter<E extends EventEmitter>(emitter: E): E {
  return context.bind(context.active(), emitter);
}
