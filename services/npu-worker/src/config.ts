import { type Env, EnvReader } from '@autobot/tracing';

/** Effective configuration of the NPU worker. */
export interface NpuWorkerConfig {
  host: string;
  port: number;
  /** Vector length (`AUTOBOT_NPU_DIMENSIONS`, 8–4096, default 384). */
  dimensions: number;
  /** Most characters accepted in one request (`AUTOBOT_NPU_MAX_CHARS`, default 100 000). */
  maxChars: number;
  warnings: string[];
}

/** Resolve the configuration from the environment; invalid values warn and fall back. */
export function resolveNpuWorkerConfig(env: Env = process.env): NpuWorkerConfig {
  const read = new EnvReader(env);
  return {
    host: read.text('AUTOBOT_NPU_WORKER_HOST', '127.0.0.1'),
    port: read.port('AUTOBOT_NPU_WORKER_PORT', 8003),
    dimensions: read.integer('AUTOBOT_NPU_DIMENSIONS', 384, 8, 4096),
    maxChars: read.integer('AUTOBOT_NPU_MAX_CHARS', 100_000, 1, 10_000_000),
    warnings: read.warnings,
  };
}
