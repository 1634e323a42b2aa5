import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import { buildQueryServer } from './api/query-server.js';
import { InvalidOptionError } from './errors.js';
import { IngestSink } from './ingest.js';
import { SpanMetrics } from './metrics/span-metrics.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './otlp/decode-common.js';
import { decompress, readBody } from './receivers/body.js';
import { startGrpcReceiver } from './receivers/grpc-receiver.js';
import { startHttpReceiver } from './receivers/http-receiver.js';
import { inlineSearcher, type Searcher, SearchPool } from './store/search-pool.js';
import { DEFAULT_DB_PATH, type RetentionOptions, TraceStore } from './store/store.js';

/** Options of {@link startCollector}. */
export interface CollectorOptions {
  /** Bind address for all ports (default `127.0.0.1`; use `0.0.0.0` to accept other machines). */
  host?: string;
  /** OTLP/gRPC port (default 4317, 0 = ephemeral). */
  grpcPort?: number;
  /** OTLP/HTTP port (default 4318, 0 = ephemeral). */
  httpPort?: number;
  /** Query API + UI port (default 16686, 0 = ephemeral). */
  queryPort?: number;
  /** SQLite file (default `.autobot/traces.db`) or `:memory:`. */
  dbPath?: string;
  retention?: RetentionOptions;
  /** Browser origins allowed to export over OTLP/HTTP and to call the query API (`*` = any). */
  corsOrigins?: string[];
  /** Folder with the viewer build; default: the `@autobot/viewer` package's build when it exists; `null` disables. */
  uiDir?: string | null;
  /** Body limit for OTLP/HTTP and message limit for gRPC, compressed and decompressed (default 16 MiB). */
  maxBodyBytes?: number;
  /** Per-span validation limits. */
  limits?: Partial<DecodeLimits>;
  /**
   * Time budget of one search in ms (default 10,000): a search still running then is stopped and
   * answered 503 `AUTOBOT_ERR_COLLECTOR_QUERY_TIMEOUT`. Searches run in worker threads with their
   * own read-only connection, so they never hold up ingest; a `:memory:` store cannot be opened
   * twice and searches on the collector's thread without a budget.
   */
  queryTimeoutMs?: number;
}

/** A running collector. */
export interface RunningCollector {
  grpcPort: number;
  httpPort: number;
  queryPort: number;
  host: string;
  store: TraceStore;
  /** Ingest counters. */
  sink: IngestSink;
  /** Stops the servers and closes the database. Idempotent. */
  close(): Promise<void>;
}

/** Default time budget of one search: 10 s. */
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

/** Default body limit: 16 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

function checkPort(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new InvalidOptionError(`${name} must be an integer 0-65535, got ${value}`);
  }
  return value;
}

/** The built viewer, found through the declared `@autobot/viewer` dependency's exports. */
function defaultUiDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('@autobot/viewer/dist/index.html'));
  } catch {
    return undefined; // not built (or not installed): the collector runs without its UI
  }
}

/**
 * Starts the OTLP receivers (gRPC and HTTP), the SQLite store and the query API/UI.
 * Throws `InvalidOptionError` for bad options and rejects when a port cannot be bound (the
 * parts already started are stopped again).
 */
export async function startCollector(options: CollectorOptions = {}): Promise<RunningCollector> {
  const host = options.host ?? '127.0.0.1';
  const grpcPort = checkPort('grpcPort', options.grpcPort ?? 4317);
  const httpPort = checkPort('httpPort', options.httpPort ?? 4318);
  const queryPort = checkPort('queryPort', options.queryPort ?? 16686);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new InvalidOptionError(`maxBodyBytes must be a positive integer, got ${maxBodyBytes}`);
  }
  const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  if (!Number.isInteger(queryTimeoutMs) || queryTimeoutMs <= 0) {
    throw new InvalidOptionError(`queryTimeoutMs must be a positive integer, got ${queryTimeoutMs}`);
  }
  const limits: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, ...options.limits };
  const corsOrigins = options.corsOrigins ?? [];
  const uiDir = options.uiDir === null ? undefined : (options.uiDir ?? defaultUiDir());

  const store = TraceStore.open({ path: options.dbPath ?? DEFAULT_DB_PATH, retention: options.retention });
  const metrics = new SpanMetrics(store.connection);
  let inserts = 0;
  let metricsPruned = false;
  const runRetention = () => {
    try {
      const deleted = store.enforceRetention();
      // Span metrics live as long as the spans: drop the minutes before the oldest span left
      // (at start, and whenever retention deleted something).
      if (deleted > 0 || !metricsPruned) {
        metrics.prune(store.status().oldestSpanUs);
        metricsPruned = true;
      }
    } catch (error) {
      sink.stats.lastError = `retention failed: ${(error as Error).message}`;
    }
  };
  const sink = new IngestSink(
    store,
    () => {
      // Size checks are cheap (three pragmas); run them every 64 batches besides the timer.
      if (++inserts % 64 === 0 && store.retentionSettings.maxBytes > 0) runRetention();
    },
    metrics,
  );
  metrics.start();
  runRetention();
  const searcher: Searcher = store.searchableOffThread
    ? new SearchPool({ path: store.path, timeoutMs: queryTimeoutMs })
    : inlineSearcher(store);
  const timer = setInterval(runRetention, store.retentionSettings.intervalMs || 60_000);
  timer.unref();

  let grpcServer: grpc.Server | undefined;
  let httpServer: Server | undefined;
  let queryApp: FastifyInstance | undefined;
  const startedAt = Date.now();
  const ports = { grpcPort, httpPort, queryPort };
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      clearInterval(timer);
      const tasks: Promise<unknown>[] = [];
      if (grpcServer !== undefined) {
        const server = grpcServer;
        tasks.push(
          new Promise<void>((resolve) => {
            const force = setTimeout(() => {
              server.forceShutdown();
              resolve();
            }, 2000);
            server.tryShutdown(() => {
              clearTimeout(force);
              resolve();
            });
          }),
        );
      }
      if (httpServer !== undefined) {
        const server = httpServer;
        tasks.push(new Promise<void>((resolve) => server.close(() => resolve())));
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      }
      if (queryApp !== undefined) tasks.push(queryApp.close());
      await Promise.allSettled(tasks);
      await searcher.close();
      metrics.close();
      store.close();
    })();
    return closed;
  };

  try {
    const grpcStarted = await startGrpcReceiver(sink, {
      host,
      port: grpcPort,
      maxMessageBytes: maxBodyBytes,
      limits,
    });
    grpcServer = grpcStarted.server;
    ports.grpcPort = grpcStarted.port;
    const httpStarted = await startHttpReceiver(
      sink,
      { host, port: httpPort, maxBodyBytes, corsOrigins, limits },
      decompress,
      readBody,
    );
    httpServer = httpStarted.server;
    ports.httpPort = httpStarted.port;
    queryApp = buildQueryServer({
      store,
      searcher,
      stats: sink.stats,
      metrics,
      corsOrigins,
      uiDir,
      statusExtra: () => ({ uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), host, ...ports }),
    });
    await queryApp.listen({ host, port: queryPort });
    const address = queryApp.server.address();
    ports.queryPort = typeof address === 'object' && address !== null ? address.port : queryPort;
  } catch (error) {
    await close();
    throw error;
  }
  return { ...ports, host, store, sink, close };
}
