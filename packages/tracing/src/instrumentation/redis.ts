import diagnostics from 'node:diagnostics_channel';
import { type Attributes, context, type Span, SpanKind, trace } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { recordError } from '../record-error.js';
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_BATCH_SIZE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '../semconv.js';
import { parentNotSampled, startInstrumentationSpan, unsampledSpan } from './fast-path.js';

/**
 * Redis spans from ioredis's own `diagnostics_channel` tracing channels (`ioredis:command`,
 * `ioredis:batch`, ioredis ≥ 5.9): no monkey-patching, any copy of ioredis in the process is
 * seen, and nothing runs when tracing is off. Why ioredis rather than node-redis: it publishes
 * these channels, so the instrumentation is a subscriber, not a wrapper.
 *
 * Spans are named `redis.{command}` (`redis.get`, `redis.hset`), MULTI transactions `redis.multi`
 * with the command count. `db.query.text` holds the command and its keys only: every value is `?`.
 */

interface CommandMessage {
  command: string;
  args: string[];
  database: number;
  serverAddress: string;
  serverPort: number | undefined;
  error?: unknown;
}

interface BatchMessage {
  batchMode: string;
  batchSize: number;
  database: number;
  serverAddress: string;
  serverPort: number | undefined;
  error?: unknown;
}

/** Commands whose every argument is a key; for all others only the first argument is. */
const ALL_ARGS_ARE_KEYS = new Set(['del', 'exists', 'mget', 'touch', 'unlink', 'watch']);

const kSpan = Symbol('autobot.redis.span');
const TRACER_NAME = 'autobot.redis';
type Traced = { [kSpan]?: Span };

let subscribed = false;
/** Record commands issued outside any span as root spans (off: only commands inside a trace). */
let rootSpans = false;

/** Options of {@link instrumentRedis}. */
export interface RedisTracingOptions {
  /**
   * Trace a command that runs outside any active span as a new root trace. Default false
   * (`AUTOBOT_TRACE_REDIS_ROOT_SPANS`): connection handshakes, health pings and background jobs
   * would otherwise each start a one-span trace.
   */
  rootSpans?: boolean;
}

/** Set the process-wide default for root Redis spans (the TracingService's `redisRootSpans`). */
export function setRedisRootSpans(on: boolean): void {
  rootSpans = on;
}

/**
 * Connection bookkeeping ioredis sends on every (re)connect: `CLIENT SETINFO` / `CLIENT SETNAME`.
 * Never traced, even inside a request (a lazily opened connection) or with root spans on: they
 * are not the application's commands, and Redis < 7.2 answers SETINFO with an error.
 */
function isHandshake(command: string, args: readonly string[]): boolean {
  if (command !== 'client' && command !== 'CLIENT') return false;
  const sub = args[0]?.toLowerCase();
  return sub === 'setinfo' || sub === 'setname';
}

/** Per command name: the span name and `db.operation.name`, computed once. */
const commandNames = new Map<string, { span: string; operation: string; allKeys: boolean }>();

function namesOf(command: string): { span: string; operation: string; allKeys: boolean } {
  let names = commandNames.get(command);
  if (names === undefined) {
    const lower = command.toLowerCase();
    names = {
      span: `redis.${lower}`,
      operation: command.toUpperCase(),
      allKeys: ALL_ARGS_ARE_KEYS.has(lower),
    };
    // Command names are a closed set, but a misbehaving caller could invent them: stay bounded.
    if (commandNames.size < 1024) commandNames.set(command, names);
  }
  return names;
}
/**
 * True while a MULTI batch is being sent. ioredis queues the batch's commands synchronously
 * between the batch's `start` and `end` events, so commands seen then belong to the batch, which
 * is recorded as one span instead of one per command.
 */
let sendingBatch = false;

/** The statement recorded for a command: name plus keys, values replaced by `?`. */
export function redisStatement(command: string, args: readonly string[]): string {
  const { operation, allKeys } = namesOf(command);
  let text = operation;
  for (let i = 0; i < args.length; i++) text += i === 0 || allKeys ? ` ${args[i]}` : ' ?';
  return text;
}

/**
 * Subscribe to ioredis's tracing channels once per process. Returns true when subscribed.
 * `options.rootSpans` applies process-wide; a later call may change it.
 */
export function instrumentRedis(options: RedisTracingOptions = {}): boolean {
  if (options.rootSpans !== undefined) rootSpans = options.rootSpans;
  if (subscribed) return true;
  if (typeof diagnostics.tracingChannel !== 'function') return false;
  const tracer = trace.getTracer(TRACER_NAME);

  // `attributesOf` runs only when a span is made: for commands of an unsampled request the
  // statement is never serialized.
  const start = (name: string, message: CommandMessage | BatchMessage, attributesOf: () => Attributes) => {
    if (sendingBatch) return;
    const active = context.active();
    if (!rootSpans && trace.getSpan(active) === undefined) return;
    if (isTracingSuppressed(active) || parentNotSampled(active)) return;
    // A root the sampler will drop: no span at all (a Redis span propagates nothing).
    if (unsampledSpan(active) !== undefined) return;
    const attributes = attributesOf();
    attributes[ATTR_DB_SYSTEM_NAME] = 'redis';
    attributes[ATTR_DB_NAMESPACE] = String(message.database);
    attributes[ATTR_SERVER_ADDRESS] = message.serverAddress;
    if (message.serverPort !== undefined) attributes[ATTR_SERVER_PORT] = message.serverPort;
    (message as Traced)[kSpan] = startInstrumentationSpan(
      tracer,
      TRACER_NAME,
      name,
      SpanKind.CLIENT,
      attributes,
      active,
    );
  };
  const finish = (message: object) => {
    const span = (message as Traced)[kSpan];
    if (!span) return;
    (message as Traced)[kSpan] = undefined;
    const error = (message as { error?: unknown }).error;
    if (error !== undefined) recordError(span, error);
    span.end();
  };
  const handlers = <M extends object>(
    onStart: (message: M) => void,
    onEnd: () => void = () => {},
  ): diagnostics.TracingChannelSubscribers<M> => ({
    start: onStart,
    // A synchronous throw has no asyncEnd, so `end` finishes it; otherwise asyncEnd does.
    end: (message) => {
      onEnd();
      if ((message as { error?: unknown }).error !== undefined) finish(message);
    },
    asyncStart: () => {},
    asyncEnd: finish,
    error: () => {},
  });

  diagnostics.tracingChannel<unknown, CommandMessage>('ioredis:command').subscribe(
    handlers<CommandMessage>((message) => {
      const command = message.command;
      if (isHandshake(command, message.args)) return;
      const names = namesOf(command);
      start(names.span, message, () => ({
        [ATTR_DB_OPERATION_NAME]: names.operation,
        [ATTR_DB_QUERY_TEXT]: redisStatement(command, message.args),
      }));
    }),
  );
  diagnostics.tracingChannel<unknown, BatchMessage>('ioredis:batch').subscribe(
    handlers<BatchMessage>(
      (message) => {
        start(`redis.${message.batchMode.toLowerCase()}`, message, () => ({
          [ATTR_DB_OPERATION_NAME]: message.batchMode,
          [ATTR_DB_OPERATION_BATCH_SIZE]: message.batchSize,
        }));
        sendingBatch = true;
      },
      () => {
        sendingBatch = false;
      },
    ),
  );
  subscribed = true;
  return true;
}
