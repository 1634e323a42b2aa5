import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import { buildQueryServer } from './api/query-server.js';
import { AccessControl } from './auth/access.js';
import { isLoopbackHost } from './auth/bind-policy.js';
import { ClientLimiter, DEFAULT_RECEIVER_LIMITS, type ReceiverLimits } from './auth/rate-limit.js';
import { DEFAULT_SESSION_TTL_MS, SessionStore } from './auth/sessions.js';
import type { TlsMaterial } from './auth/tls.js';
import { AccessToken } from './auth/tokens.js';
import { InvalidOptionError, UnprotectedBindError } from './errors.js';
import { IngestSink } from './ingest.js';
import { SpanMetrics } from './metrics/span-metrics.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './otlp/decode-common.js';
import { decompress, readBody } from './receivers/body.js';
import { startGrpcReceiver } from './receivers/grpc-receiver.js';
import { startHttpReceiver } from './receivers/http-receiver.js';
import { DEFAULT_QUERY_WORKERS, MAX_QUERY_WORKERS } from './serve-env.js';
import { BackgroundCheckpointer } from './store/checkpointer.js';
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
  /**
   * Search worker threads (default 2, at most 64). 0 runs searches on the collector's thread, as
   * before issue 18: no time budget, and a slow search holds up ingest (for comparison runs and
   * very small machines).
   */
  queryWorkers?: number;
  /**
   * Maintain span metrics — RED per service × operation and LLM figures — as spans arrive
   * (default true). false: ingest skips that work and the metrics endpoints answer with no
   * figures; GenAI attribute normalisation still runs.
   */
  spanMetrics?: boolean;
  /**
   * Token OTLP exporters must send (`authorization: Bearer …`) to write spans. Without it (and
   * without `tls.clientCa`) anyone who reaches the OTLP ports can write.
   */
  writeToken?: string;
  /** Token the query API, `/status` and the viewer sign-in require. Without it reading is open. */
  readToken?: string;
  /**
   * TLS on every port (PEM). With `clientCa`, a client certificate that chains to it (and is
   * within its validity) is a write credential, an alternative to the write token.
   */
  tls?: TlsMaterial;
  /**
   * Allow a non-loopback `host` without write and read credentials. Without it such a start is
   * refused with `AUTOBOT_ERR_COLLECTOR_UNPROTECTED_BIND` before anything is bound.
   */
  insecure?: boolean;
  /** Per-client rate limit and concurrency bound of the OTLP receivers. */
  receiverLimits?: Partial<ReceiverLimits>;
  /** Lifetime of a viewer session in ms (default 12 h). */
  sessionTtlMs?: number;
}

/** A running collector. */
export interface RunningCollector {
  grpcPort: number;
  httpPort: number;
  queryPort: number;
  host: string;
  /** The ports speak TLS. */
  tls: boolean;
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

/** The validated settings of {@link startCollector}. */
interface Settings {
  host: string;
  ports: { grpcPort: number; httpPort: number; queryPort: number };
  maxBodyBytes: number;
  queryTimeoutMs: number;
  queryWorkers: number;
  limits: DecodeLimits;
  writeToken: AccessToken | undefined;
  access: AccessControl;
  receiverLimits: ReceiverLimits;
  sessionTtlMs: number;
  guard: { access: AccessControl; limiter: ClientLimiter };
  corsOrigins: string[];
  uiDir: string | undefined;
}

/**
 * Validates every option before anything is opened or bound.
 * @throws InvalidOptionError, UnprotectedBindError
 */
function resolveSettings(options: CollectorOptions): Settings {
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
  const queryWorkers = options.queryWorkers ?? DEFAULT_QUERY_WORKERS;
  if (!Number.isInteger(queryWorkers) || queryWorkers < 0 || queryWorkers > MAX_QUERY_WORKERS) {
    throw new InvalidOptionError(
      `queryWorkers must be an integer 0-${MAX_QUERY_WORKERS}, got ${queryWorkers}`,
    );
  }
  const limits: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, ...options.limits };
  const writeToken =
    options.writeToken === undefined ? undefined : new AccessToken(options.writeToken, 'write token');
  const readToken =
    options.readToken === undefined ? undefined : new AccessToken(options.readToken, 'read token');
  if (options.tls !== undefined && (!options.tls.cert || !options.tls.key)) {
    throw new InvalidOptionError('tls needs both cert and key (PEM)');
  }
  if (writeToken && readToken?.matches(options.writeToken)) {
    throw new InvalidOptionError('the write token and the read token must differ');
  }
  const access = new AccessControl(writeToken, readToken, options.tls?.clientCa !== undefined);
  if (!isLoopbackHost(host) && !options.insecure && (!access.writeProtected || !access.readProtected)) {
    // Refused before binding: the ports are never open without credentials, not even briefly.
    const missing = [
      access.writeProtected ? null : 'write (--write-token-file, or --tls-client-ca for client certificates)',
      access.readProtected ? null : 'read (--read-token-file)',
    ].filter((x) => x !== null);
    throw new UnprotectedBindError(
      `refusing to listen on ${host} without ${missing.join(' and ')} credentials: anyone who reaches it could ` +
        'write and read traces. Give the credentials, bind 127.0.0.1, or pass --insecure to accept the risk.',
    );
  }
  const receiverLimits: ReceiverLimits = { ...DEFAULT_RECEIVER_LIMITS, ...options.receiverLimits };
  for (const [name, value] of Object.entries(receiverLimits)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new InvalidOptionError(`receiverLimits.${name} must be a non-negative number, got ${value}`);
    }
  }
  const sessionTtlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  if (!Number.isInteger(sessionTtlMs) || sessionTtlMs <= 0) {
    throw new InvalidOptionError(`sessionTtlMs must be a positive integer, got ${sessionTtlMs}`);
  }
  const guard = { access, limiter: new ClientLimiter(receiverLimits) };
  const corsOrigins = options.corsOrigins ?? [];
  const uiDir = options.uiDir === null ? undefined : (options.uiDir ?? defaultUiDir());

  return {
    host,
    ports: { grpcPort, httpPort, queryPort },
    maxBodyBytes,
    queryTimeoutMs,
    queryWorkers,
    limits,
    writeToken,
    access,
    receiverLimits,
    sessionTtlMs,
    guard,
    corsOrigins,
    uiDir,
  };
}

/** The store, its span metrics, retention (now and on a timer), the ingest sink and the searcher. */
function openStorage(options: CollectorOptions, settings: Settings) {
  const { queryTimeoutMs, queryWorkers } = settings;
  const store = TraceStore.open({ path: options.dbPath ?? DEFAULT_DB_PATH, retention: options.retention });
  const metrics = new SpanMetrics(store.connection, options.spanMetrics ?? true);
  // A file store's WAL checkpoints (copy + two syncs) run on their own thread, not in a commit.
  const checkpointer = store.searchableOffThread
    ? BackgroundCheckpointer.start(store.path, store.connection)
    : null;
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
      checkpointer?.afterCommit();
      // Size checks are cheap (three pragmas); run them every 64 batches besides the timer.
      if (++inserts % 64 === 0 && store.retentionSettings.maxBytes > 0) runRetention();
    },
    metrics,
  );
  metrics.start();
  runRetention();
  const searcher: Searcher =
    store.searchableOffThread && queryWorkers > 0
      ? new SearchPool({ path: store.path, timeoutMs: queryTimeoutMs, size: queryWorkers })
      : inlineSearcher(store);
  const timer = setInterval(runRetention, store.retentionSettings.intervalMs || 60_000);
  timer.unref();

  return { store, metrics, sink, searcher, timer, checkpointer };
}

/** What {@link startCollector} has bound so far (stopped in reverse on close or failure). */
interface Listeners {
  grpc?: grpc.Server;
  http?: Server;
  query?: FastifyInstance;
}

/** Stops the listeners (gRPC gets 2 s to drain, HTTP 1 s), then the searcher, metrics and store. */
async function stopAll(listeners: Listeners, storage: ReturnType<typeof openStorage>): Promise<void> {
  clearInterval(storage.timer);
  const tasks: Promise<unknown>[] = [];
  const { grpc: grpcServer, http: httpServer, query: queryApp } = listeners;
  if (grpcServer !== undefined) {
    tasks.push(
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          grpcServer.forceShutdown();
          resolve();
        }, 2000);
        grpcServer.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
    );
  }
  if (httpServer !== undefined) {
    tasks.push(new Promise<void>((resolve) => httpServer.close(() => resolve())));
    httpServer.closeIdleConnections();
    setTimeout(() => httpServer.closeAllConnections(), 1000).unref();
  }
  if (queryApp !== undefined) tasks.push(queryApp.close());
  await Promise.allSettled(tasks);
  await storage.searcher.close();
  await storage.checkpointer?.close();
  storage.metrics.close();
  storage.store.close();
}

/** `/status`'s security summary: what protects writing and reading. */
function securitySummary(options: CollectorOptions, settings: Settings) {
  const { writeToken, access, receiverLimits } = settings;
  return {
    tls: options.tls !== undefined,
    writeAuth:
      writeToken !== undefined
        ? options.tls?.clientCa
          ? 'token or client certificate'
          : 'token'
        : access.writeProtected
          ? 'client certificate'
          : 'none',
    readAuth: access.readProtected ? 'token' : 'none',
    receiverLimits,
  };
}

/**
 * Starts the OTLP receivers (gRPC and HTTP), the SQLite store and the query API/UI.
 * Throws `InvalidOptionError` for bad options and rejects when a port cannot be bound (the
 * parts already started are stopped again).
 */
export async function startCollector(options: CollectorOptions = {}): Promise<RunningCollector> {
  const settings = resolveSettings(options);
  const { host, maxBodyBytes, limits, guard, corsOrigins, uiDir, access, sessionTtlMs } = settings;
  const { grpcPort, httpPort, queryPort } = settings.ports;
  const storage = openStorage(options, settings);
  const { store, metrics, sink, searcher } = storage;

  const listeners: Listeners = {};
  const startedAt = Date.now();
  const ports = { grpcPort, httpPort, queryPort };
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= stopAll(listeners, storage);
    return closed;
  };

  try {
    const grpcStarted = await startGrpcReceiver(sink, {
      host,
      port: grpcPort,
      maxMessageBytes: maxBodyBytes,
      limits,
      guard,
      tls: options.tls,
    });
    listeners.grpc = grpcStarted.server;
    ports.grpcPort = grpcStarted.port;
    const httpStarted = await startHttpReceiver(
      sink,
      { host, port: httpPort, maxBodyBytes, corsOrigins, limits, guard, tls: options.tls },
      decompress,
      readBody,
    );
    listeners.http = httpStarted.server;
    ports.httpPort = httpStarted.port;
    const queryApp = buildQueryServer({
      store,
      searcher,
      stats: sink.stats,
      metrics,
      corsOrigins,
      uiDir,
      maxBodyBytes,
      statusExtra: () => ({
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        host,
        ...ports,
        security: securitySummary(options, settings),
      }),
      readAccess: { access, sessions: new SessionStore(sessionTtlMs), secure: options.tls !== undefined },
      tls: options.tls,
    });
    listeners.query = queryApp;
    await queryApp.listen({ host, port: queryPort });
    const address = queryApp.server.address();
    ports.queryPort = typeof address === 'object' && address !== null ? address.port : queryPort;
  } catch (error) {
    await close();
    throw error;
  }
  return { ...ports, host, tls: options.tls !== undefined, store, sink, close };
}
