import { getTracingService } from '@autobot/tracing';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ServiceError } from './service-error.js';

/** Where and how to run a service. */
export interface RunServiceOptions {
  /** `service.name`, e.g. `autobot-backend`. */
  serviceName: string;
  app: FastifyInstance;
  host: string;
  port: number;
  /** The variable that sets the port, named in the "port in use" message. */
  portVariable: string;
  /** Extra fields for the `listening` line. */
  details?: Record<string, unknown>;
  /** Release the service's own resources (clients, browsers) after the server closed. */
  onClose?: () => Promise<void>;
  /** Time allowed for a graceful stop before exiting anyway, in milliseconds (default 8000). */
  stopTimeoutMs?: number;
}

/** A running service. */
export interface RunningService {
  url: string;
  port: number;
  /** Close the server, the service's resources, then flush and stop tracing. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The error answer every reference service gives: `ServiceError`s and Fastify's own coded
 * errors (validation → 400, body too large → 413) keep their status and code; anything else is a
 * 500 `AUTOBOT_ERR_SERVICE_INTERNAL`. The server span already carries the error (the tracing `onError` hook).
 * Unknown routes answer 404 `AUTOBOT_ERR_SERVICE_NOT_FOUND` naming the path (never the query).
 */
export function installErrorHandler(app: FastifyInstance, serviceName: string): void {
  // Fastify's default 404 logs and answers the raw URL, query secrets included: path only here.
  app.setNotFoundHandler((request, reply) => {
    const traceId = request.traceSpan?.spanContext().traceId ?? getTracingService().currentTraceId();
    const path = request.url.split('?')[0] ?? '';
    return reply.code(404).send({
      error: {
        code: 'AUTOBOT_ERR_SERVICE_NOT_FOUND',
        message: `no route ${request.method} ${path.slice(0, 200)}`,
        service: serviceName,
      },
      traceId,
    });
  });
  app.setErrorHandler((error: FastifyError | ServiceError | Error, request, reply) => {
    const traceId = request.traceSpan?.spanContext().traceId ?? getTracingService().currentTraceId();
    if (error instanceof ServiceError) {
      if (error.statusCode >= 500) request.log.warn({ code: error.code }, error.message);
      return reply.code(error.statusCode).send({
        error: { code: error.code, message: error.message, service: error.service ?? serviceName },
        traceId,
      });
    }
    const status = (error as FastifyError).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = (error as FastifyError).validation
        ? 'AUTOBOT_ERR_SERVICE_BAD_REQUEST'
        : (error as FastifyError).code;
      return reply.code(status).send({
        error: {
          code: code ?? 'AUTOBOT_ERR_SERVICE_BAD_REQUEST',
          message: error.message,
          service: serviceName,
        },
        traceId,
      });
    }
    request.log.error(error);
    return reply.code(500).send({
      error: {
        code: 'AUTOBOT_ERR_SERVICE_INTERNAL',
        message: `${serviceName}: internal error`,
        service: serviceName,
      },
      traceId,
    });
  });
}

/**
 * Listen, print one JSON line `{"event":"listening",...}` on stdout, and stop gracefully on
 * SIGTERM/SIGINT: close the server, run `onClose`, flush tracing, exit 0. A port already in use
 * prints one clear line naming the port and the variable, then exits with code 1.
 */
export async function runService(options: RunServiceOptions): Promise<RunningService> {
  const { app, serviceName } = options;
  const tracing = getTracingService();
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'EADDRINUSE'
        ? `${serviceName}: port ${options.port} on ${options.host} is already in use; stop what uses it or set ${options.portVariable} to another port`
        : `${serviceName}: cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`;
    process.stderr.write(`${message}\n`);
    await options.onClose?.().catch(() => {});
    await tracing.shutdown();
    process.exit(1);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await app.close().catch(() => {});
      await options.onClose?.().catch(() => {});
      await tracing.shutdown();
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const timer = setTimeout(() => {
      process.stderr.write(`${serviceName}: graceful stop took too long after ${signal}; exiting\n`);
      process.exit(1);
    }, options.stopTimeoutMs ?? 8000);
    timer.unref();
    void stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  process.stdout.write(
    `${JSON.stringify({ event: 'listening', service: serviceName, url, port, pid: process.pid, ...options.details })}\n`,
  );
  return { url, port, stop };
}
