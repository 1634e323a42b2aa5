/**
 * Attribute keys as typed constants: a typo is a compile error, not a silent new attribute.
 *
 * Two families live side by side on every span:
 * - the spec's keys (`http.method`, `http.url`, …), exactly as the AutoBot spec names them, so the
 *   spec's queries work verbatim;
 * - the current OpenTelemetry semantic-convention keys (`http.request.method`, `url.full`, …), so
 *   standard tools (Jaeger, Grafana, Tempo) read our spans too.
 *
 * Each package owns the keys of its own domain: `llm.*`/`gen_ai.*` live in `@autobot/llm`,
 * `ssh.*`/`pki.*` in `@autobot/pki`; this file holds the HTTP and database keys the library emits.
 */

// ── HTTP (spec) ─────────────────────────────────────────────────────────────
/** Spec key: the request method as sent (`GET`, `POST`, …); set on server and client spans. */
export const ATTR_HTTP_METHOD = 'http.method';
/**
 * Spec key: the full URL, redacted (URL credentials and secret query values become `REDACTED`,
 * the fragment is dropped); on server spans rebuilt from scheme, `Host`, path and query.
 */
export const ATTR_HTTP_URL = 'http.url';
/** Spec key: the response status (integer); absent when no response arrived. */
export const ATTR_HTTP_STATUS_CODE = 'http.status_code';
/** Wall time of the request in milliseconds (float). */
export const ATTR_HTTP_DURATION_MS = 'http.duration_ms';

// ── HTTP (OpenTelemetry semconv, stable) ────────────────────────────────────
/** Semconv twin of {@link ATTR_HTTP_METHOD}. */
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
/** Semconv twin of {@link ATTR_HTTP_STATUS_CODE}. */
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
/** Server spans: the route template (`/api/chat/:id`), never the raw path; absent for unmatched routes. */
export const ATTR_HTTP_ROUTE = 'http.route';
/** Client spans: the redacted URL, as {@link ATTR_HTTP_URL}. */
export const ATTR_URL_FULL = 'url.full';
/** Server spans: the request path without the query. */
export const ATTR_URL_PATH = 'url.path';
/** Server spans: the query string without `?`, secret values redacted; absent when empty. */
export const ATTR_URL_QUERY = 'url.query';
/** Server spans: `http` or `https`. */
export const ATTR_URL_SCHEME = 'url.scheme';
/** Host name of the server: the `Host` the request named (server spans) or the peer (client, Redis). */
export const ATTR_SERVER_ADDRESS = 'server.address';
/** Port of the server (integer); absent when the URL or connection gives none. */
export const ATTR_SERVER_PORT = 'server.port';
/** Server spans: the caller's IP address as Fastify sees it (`request.ip`). */
export const ATTR_CLIENT_ADDRESS = 'client.address';
/** Server spans: the `User-Agent` header, when sent (the only header ever recorded). */
export const ATTR_USER_AGENT_ORIGINAL = 'user_agent.original';
/**
 * Why a span failed: the error's class name (see `errorTypeOf`), the HTTP status as a string for
 * an error status (`"503"`), or `aborted` for a server request the client abandoned.
 */
export const ATTR_ERROR_TYPE = 'error.type';

// ── Database / Redis (OpenTelemetry semconv) ────────────────────────────────
/** Redis spans: always `redis`. */
export const ATTR_DB_SYSTEM_NAME = 'db.system.name';
/** Redis spans: the command name (`GET`), or for a batch the mode ioredis reports (`MULTI`). */
export const ATTR_DB_OPERATION_NAME = 'db.operation.name';
/** Redis spans: the command with its keys, values replaced by `?` (see `redisStatement`). */
export const ATTR_DB_QUERY_TEXT = 'db.query.text';
/** Redis spans: the database index, as a string (`"0"`). */
export const ATTR_DB_NAMESPACE = 'db.namespace';
/** Redis batch spans: the number of commands in the batch. */
export const ATTR_DB_OPERATION_BATCH_SIZE = 'db.operation.batch.size';
