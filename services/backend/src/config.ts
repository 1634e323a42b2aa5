import { type Env, EnvReader } from '@autobot/tracing';

/** Effective configuration of the backend. */
export interface BackendConfig {
  host: string;
  port: number;
  /** `redis://…` URL, or `memory` to keep conversations in this process (no Redis spans). */
  redisUrl: string;
  aiStackUrl: string;
  npuWorkerUrl: string;
  browserUrl: string;
  /** Browser origins allowed to call the API (`*` = any); the frontend's origin by default. */
  corsOrigins: string[];
  /** Time allowed for each call to the NPU and browser workers, and for the AI stack's first byte. */
  downstreamTimeoutMs: number;
  /** Messages kept per conversation. */
  historyLimit: number;
  /** Conversation lifetime in Redis, in seconds. */
  conversationTtlS: number;
  warnings: string[];
}

/** Resolve the configuration from the environment; invalid values warn and fall back. */
export function resolveBackendConfig(env: Env = process.env): BackendConfig {
  const read = new EnvReader(env);
  const redis = read.text('AUTOBOT_REDIS_URL', 'redis://127.0.0.1:6379');
  return {
    host: read.text('AUTOBOT_BACKEND_HOST', '127.0.0.1'),
    port: read.port('AUTOBOT_BACKEND_PORT', 8001),
    redisUrl: redis === 'memory' || /^rediss?:\/\//.test(redis) ? redis : invalidRedis(read, redis),
    aiStackUrl: read.url('AUTOBOT_AI_STACK_URL', 'http://127.0.0.1:8002'),
    npuWorkerUrl: read.url('AUTOBOT_NPU_WORKER_URL', 'http://127.0.0.1:8003'),
    browserUrl: read.url('AUTOBOT_BROWSER_URL', 'http://127.0.0.1:8004'),
    corsOrigins: read.list('AUTOBOT_CORS_ORIGINS', ['http://127.0.0.1:5173', 'http://localhost:5173']),
    downstreamTimeoutMs: read.integer('AUTOBOT_DOWNSTREAM_TIMEOUT_MS', 30_000, 100, 600_000),
    historyLimit: read.integer('AUTOBOT_HISTORY_LIMIT', 20, 1, 1000),
    conversationTtlS: read.integer('AUTOBOT_CONVERSATION_TTL_S', 86_400, 1, 31_536_000),
    warnings: read.warnings,
  };
}

function invalidRedis(read: EnvReader, raw: string): string {
  read.warnings.push(
    `AUTOBOT_REDIS_URL=${JSON.stringify(raw)} is invalid: expected redis://host:port or memory; using "redis://127.0.0.1:6379"`,
  );
  return 'redis://127.0.0.1:6379';
}
