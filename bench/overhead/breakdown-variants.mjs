// The variants of the per-piece overhead runs (breakdown.mjs, instructions.mjs, allocation.mjs):
// which pieces of the tracing library are switched on in the measured process.
import { join, resolve } from 'node:path';

/**
 * Each variant: `rate` (absent = no tracing library loaded), the pieces switched on, and
 * `parent`: an incoming traceparent that is not sampled (flags 00), the "parent sampled=0" case.
 * `redisRoots` records Redis commands outside any span (needed when the server is not traced).
 * `env` is extra configuration for the tracing service (environment variables it reads).
 */
export const VARIANTS = Object.freeze({
  none: {},
  'als only (context manager, no instrumentation)': { als: true },
  'ours@0 init only': { rate: 0 },
  'ours@0 fastify only': { rate: 0, fastify: true },
  'ours@0 redis only': { rate: 0, redis: true, redisRoots: true },
  'ours@0 fetch only': { rate: 0, fetch: true },
  'ours@0 all': { rate: 0, fastify: true, redis: true, fetch: true },
  'ours@1 all parent-unsampled': { rate: 1, fastify: true, redis: true, fetch: true, parent: true },
  'ours@1 fastify only': { rate: 1, fastify: true },
  'ours@1 redis only': { rate: 1, redis: true, redisRoots: true },
  'ours@1 fetch only': { rate: 1, fetch: true },
  'ours@1 all': { rate: 1, fastify: true, redis: true, fetch: true },
  // The fewest headers our tracing can send: traceparent alone, no b3, no traceresponse.
  'ours@0 all, W3C only, no traceresponse': {
    rate: 0,
    fastify: true,
    redis: true,
    fetch: true,
    env: { AUTOBOT_TRACE_B3_INJECT: 'none', AUTOBOT_TRACE_RESPONSE_HEADER: 'false' },
  },
  'ours@1 all, W3C only': {
    rate: 1,
    fastify: true,
    redis: true,
    fetch: true,
    env: { AUTOBOT_TRACE_B3_INJECT: 'none' },
  },
  'ours@1 all, W3C only, no traceresponse': {
    rate: 1,
    fastify: true,
    redis: true,
    fetch: true,
    env: { AUTOBOT_TRACE_B3_INJECT: 'none', AUTOBOT_TRACE_RESPONSE_HEADER: 'false' },
  },
  'ours@1 all + export gzip': { rate: 1, fastify: true, redis: true, fetch: true, export: 'gzip' },
  'ours@1 all + export none': { rate: 1, fastify: true, redis: true, fetch: true, export: 'none' },
});

/**
 * The variants a run of breakdown.mjs, instructions.mjs or allocation.mjs measures, name → variant: the
 * names in `list` (separated by commas; a comma followed by a space is part of a name), `none`
 * first if missing, and with `beforeDist` (an older build's packages/tracing/dist) each traced
 * variant again on that build, as `<name> [before]`.
 */
export function selectVariants(list, beforeDist) {
  const names = list.split(/,(?! )/);
  const unknown = names.filter((name) => !(name in VARIANTS));
  if (unknown.length > 0) throw new Error(`unknown variant(s): ${unknown.join(', ')}`);
  if (!names.includes('none')) names.unshift('none');
  const selected = Object.fromEntries(names.map((name) => [name, VARIANTS[name]]));
  if (beforeDist !== undefined) {
    const entry = join(resolve(beforeDist), 'index.js');
    for (const name of names) {
      if (VARIANTS[name].rate !== undefined)
        selected[`${name} [before]`] = { ...VARIANTS[name], tracing: entry };
    }
  }
  return selected;
}
