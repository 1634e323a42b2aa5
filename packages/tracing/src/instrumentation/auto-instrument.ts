import diagnostics from 'node:diagnostics_channel';
import type { FastifyInstance } from 'fastify';
import { info, warn } from '../logger.js';
import type { TracingService } from '../tracing-service.js';
import { instrumentFastify } from './fastify.js';
import { instrumentFetch } from './fetch.js';
import { instrumentRedis } from './redis.js';

/**
 * Zero-code instrumentation for `node --import @autobot/tracing/register`: every Fastify instance
 * the program creates (Fastify announces each one on the `fastify.initialization` channel),
 * every ioredis client and every fetch. Returns a check to run once the program has loaded,
 * which warns about anything that did not take effect.
 */
export function autoInstrument(tracing: TracingService): () => void {
  let fastifyApps = 0;
  diagnostics.subscribe('fastify.initialization', (message) => {
    try {
      instrumentFastify((message as { fastify: FastifyInstance }).fastify);
      fastifyApps++;
    } catch (error) {
      warn(`could not instrument a Fastify app: ${(error as Error)?.message ?? error}`);
    }
  });
  const redis = instrumentRedis();
  const fetch = instrumentFetch();

  return () => {
    const problems: string[] = [];
    if (!tracing.enabled) return;
    // The probe is never ended: an SDK span reaches the export queue only when it ends, so the
    // self-check leaves no `tracing.startup_check` trace in the user's backend.
    const probe = tracing.startSpan('tracing.startup_check');
    if (!probe.isRecording() && tracing.config?.sampleRate !== 0)
      problems.push('spans are not being recorded');
    if (!redis) problems.push('Redis spans are off (this Node has no diagnostics_channel.tracingChannel)');
    if (!fetch) problems.push('fetch spans are off');
    if (problems.length > 0) warn(`instrumentation did not fully take effect: ${problems.join('; ')}`);
    else info(`instrumentation active: fastify apps ${fastifyApps}, redis, fetch`);
  };
}
