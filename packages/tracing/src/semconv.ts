/**
 * Attribute keys as typed constants: a typo is a compile error, not a silent new attribute.
 *
 * Two families live side by side on every span:
 * - the spec's keys (`http.method`, `llm.model`, `ssh.target_vm`, …), exactly as the AutoBot spec
 *   names them, so the spec's queries (`llm.duration_ms > 5000`) work verbatim;
 * - the current OpenTelemetry semantic-convention keys (`http.request.method`, `gen_ai.*`, …), so
 *   standard tools (Jaeger, Grafana, Tempo) read our spans too.
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

// ── Request-scoped identity (tracing middleware) ────────────────────────────
export const ATTR_USER_ID = 'enduser.id';
export const ATTR_SESSION_ID = 'session.id';
export const ATTR_REQUEST_ID = 'http.request.id';

// ── Database / Redis (OpenTelemetry semconv) ────────────────────────────────
export const ATTR_DB_SYSTEM_NAME = 'db.system.name';
export const ATTR_DB_OPERATION_NAME = 'db.operation.name';
export const ATTR_DB_QUERY_TEXT = 'db.query.text';
export const ATTR_DB_NAMESPACE = 'db.namespace';
export const ATTR_DB_OPERATION_BATCH_SIZE = 'db.operation.batch.size';

// ── LLM (spec) ──────────────────────────────────────────────────────────────
export const ATTR_LLM_PROVIDER = 'llm.provider';
export const ATTR_LLM_MODEL = 'llm.model';
export const ATTR_LLM_STREAMING = 'llm.streaming';
export const ATTR_LLM_TEMPERATURE = 'llm.temperature';
export const ATTR_LLM_PROMPT_MESSAGES = 'llm.prompt_messages';
/** Wall time of the whole inference in milliseconds (float), stream included. */
export const ATTR_LLM_DURATION_MS = 'llm.duration_ms';
/** Length of the completion text in characters. */
export const ATTR_LLM_RESPONSE_LENGTH = 'llm.response_length';
export const ATTR_LLM_PROMPT_TOKENS = 'llm.prompt_tokens';
export const ATTR_LLM_COMPLETION_TOKENS = 'llm.completion_tokens';
export const ATTR_LLM_TOTAL_TOKENS = 'llm.total_tokens';
/** Time from request start to the first streamed chunk, in milliseconds. */
export const ATTR_LLM_TIME_TO_FIRST_CHUNK_MS = 'llm.time_to_first_chunk_ms';
export const ATTR_LLM_FINISH_REASON = 'llm.finish_reason';
/** Number of retries the provider SDK made inside this one inference. */
export const ATTR_LLM_RETRY_COUNT = 'llm.retry_count';

// ── LLM (OpenTelemetry gen_ai semconv) ──────────────────────────────────────
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
/** JSON text of the prompt messages; recorded only when content capture is enabled. */
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
/** JSON text of the completion messages; recorded only when content capture is enabled. */
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';

// ── SSH / PKI (spec) ────────────────────────────────────────────────────────
export const ATTR_SSH_TARGET_VM = 'ssh.target_vm';
export const ATTR_SSH_TARGET_IP = 'ssh.target_ip';
export const ATTR_SSH_USER = 'ssh.user';
export const ATTR_SSH_FILES_COPIED = 'ssh.files_copied';
/** Short machine-readable failure class, e.g. `auth_failed`, `host_key_mismatch`, `timeout`. */
export const ATTR_SSH_ERROR_TYPE = 'ssh.error_type';
export const ATTR_PKI_OPERATION = 'pki.operation';
export const ATTR_PKI_SUBJECT = 'pki.subject';
export const ATTR_PKI_SERIAL = 'pki.serial';
export const ATTR_PKI_NOT_AFTER = 'pki.not_after';

// ── Custom-span domains (span names are `{domain}.{operation}`) ─────────────
export const SPAN_LLM_INFERENCE = 'llm.inference';
export const SPAN_SSH_DISTRIBUTE_CERTIFICATES = 'ssh.distribute_certificates';
export const SPAN_PKI_ISSUE_CERTIFICATE = 'pki.issue_certificate';
export const SPAN_NPU_INFERENCE = 'npu.inference';
export const SPAN_BROWSER_NAVIGATE = 'browser.navigate';
