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
export const ATTR_HTTP_METHOD = 'http.method';
export const ATTR_HTTP_URL = 'http.url';
export const ATTR_HTTP_STATUS_CODE = 'http.status_code';
/** Wall time of the request in milliseconds (float). */
export const ATTR_HTTP_DURATION_MS = 'http.duration_ms';

// ── HTTP (OpenTelemetry semconv, stable) ────────────────────────────────────
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_HTTP_ROUTE = 'http.route';
export const ATTR_URL_FULL = 'url.full';
export const ATTR_URL_PATH = 'url.path';
export const ATTR_URL_QUERY = 'url.query';
export const ATTR_URL_SCHEME = 'url.scheme';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_CLIENT_ADDRESS = 'client.address';
export const ATTR_USER_AGENT_ORIGINAL = 'user_agent.original';
export const ATTR_ERROR_TYPE = 'error.type';

// ── Database / Redis (OpenTelemetry semconv) ────────────────────────────────
export const ATTR_DB_SYSTEM_NAME = 'db.system.name';
export const ATTR_DB_OPERATION_NAME = 'db.operation.name';
export const ATTR_DB_QUERY_TEXT = 'db.query.text';
export const ATTR_DB_NAMESPACE = 'db.namespace';
export const ATTR_DB_OPERATION_BATCH_SIZE = 'db.operation.batch.size';
