import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/*
 * trace_id and span_id on every log line of a request.
 *
 * The obvious way, `request.log = request.log.child({ trace_id, span_id })`, costs 12–20 µs per
 * request with pino: Fastify's per-request logger is itself a fresh child, and making a child of
 * it turns it into a prototype, which V8 rebuilds (a child of a long-lived logger costs ~1 µs).
 * So where the app logs through pino, the ids ride on the request's own logger under a symbol,
 * and a pino `mixin` on the app's logger writes them into each line that logger (or any child of
 * it) writes: nothing per request but one property, a lookup per log line.
 */

type Ids = readonly [traceId: string, spanId: string];
type Mixin = (merge: object, level: number, logger?: object) => object;

/** Where a request logger carries its ids (inherited by the children a handler makes of it). */
const kTraceIds = Symbol('autobot.trace-ids');
/** Apps whose pino logger has the mixin: their request loggers are tagged, not wrapped. */
const mixinApps = new WeakSet<object>();

type Tagged = FastifyBaseLogger & { [kTraceIds]?: Ids };

/** pino's own mixin symbol on `logger` or its prototypes (found by description: pino 7–10). */
function pinoMixinSymbol(logger: object): symbol | undefined {
  for (let o: object | null = logger; o !== null; o = Object.getPrototypeOf(o)) {
    const found = Object.getOwnPropertySymbols(o).find((s) => s.description === 'pino.mixin');
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Installs the mixin on the app's logger when it is pino (composed with a mixin the app already
 * has, whose fields come first). Other loggers, and Fastify's no-op logger, keep the child way.
 */
export function installLogCorrelation(app: FastifyInstance): void {
  const log = app.log as unknown as Record<symbol, unknown>;
  const symbol = pinoMixinSymbol(log);
  if (symbol === undefined) return;
  const previous = log[symbol] as Mixin | undefined;
  const mixin: Mixin = (merge, level, logger) => {
    const out = previous ? previous(merge, level, logger) : {};
    const ids = (logger as Tagged | undefined)?.[kTraceIds];
    if (ids === undefined) return out;
    // pino merges the log call's own fields over this object, so they still win.
    return { ...out, trace_id: ids[0], span_id: ids[1] };
  };
  log[symbol] = mixin;
  mixinApps.add(app);
}

/** Gives the request's log lines (and the "request completed" line) the span's ids. */
export function correlateRequestLogs(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  traceId: string,
  spanId: string,
): void {
  const log = request.log as Tagged;
  if (!mixinApps.has(app)) {
    request.log = log.child({ trace_id: traceId, span_id: spanId });
    // reply.log writes the "request completed" line: give it the same bindings.
    reply.log = request.log;
    return;
  }
  const ids: Ids = [traceId, spanId];
  // A fresh per-request logger carries no ids yet. One that does (or the app's own logger) is
  // shared, by a custom childLoggerFactory for example: the request gets a child of its own,
  // tagged the same way (bindings would not do: the mixin would add the shared logger's ids).
  if (log !== app.log && !Object.hasOwn(log, kTraceIds)) {
    log[kTraceIds] = ids;
    return;
  }
  const child = log.child({}) as Tagged;
  child[kTraceIds] = ids;
  request.log = child;
  reply.log = child;
}
