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
import { parentNotSampled } from './sampled.js';

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
/**
 * True while a MULTI batch is being sent. ioredis queues the batch's commands synchronously
 * between the batch's `start` and `end` events, so commands seen then belong to the batch, which
 * is recorded as one span instead of one per command.
 */
let sendingBatch = false;

/** The statement recorded for a command: name plus keys, values replaced by `?`. */
export function redisStatement(command: string, args: readonly string[]): string {
  const name = command.toLowerCase();
  const shown = args.map((arg, i) => (i === 0 || ALL_ARGS_ARE_KEYS.has(name) ? arg : '?'));
  return [command.toUpperCase(), ...shown].join(' ');
}

/** Subscribe to ioredis's tracing channels once per process. Returns true when subscribed. */
export function instrumentRedis(): boolean {
  if (subscribed) return true;
  if (typeof diagnostics.tracingChannel !== 'function') return false;
  const tracer = trace.getTracer(TRACER_NAME);

  // `attributesOf` runs only when a span is made: for commands of an unsampled request the
  // statement is never serialized.
  const start = (name: string, message: CommandMessage | BatchMessage, attributesOf: () => Attributes) => {
    if (sendingBatch) return;
    const active = context.active();
    if (isTracingSuppressed(active) || parentNotSampled(active)) return;
    const attributes = attributesOf();
    attributes[ATTR_DB_SYSTEM_NAME] = 'redis';
    attributes[ATTR_DB_NAMESPACE] = String(message.database);
    attributes[ATTR_SERVER_ADDRESS] = message.serverAddress;
    if (message.serverPort !== undefined) attributes[ATTR_SERVER_PORT] = message.serverPort;
    (message as Traced)[kSpan] = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes });
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
      start(`redis.${command.toLowerCase()}`, message, () => ({
        [ATTR_DB_OPERATION_NAME]: command.toUpperCase(),
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
