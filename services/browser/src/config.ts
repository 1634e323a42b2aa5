import { type Env, EnvReader } from '@autobot/tracing';

/** How pages are loaded: Chromium when available (`auto`), always Chromium, or plain HTTP fetch. */
export type EngineChoice = 'auto' | 'chromium' | 'fetch';

/** Effective configuration of the browser worker. */
export interface BrowserWorkerConfig {
  host: string;
  port: number;
  engine: EngineChoice;
  /** Chromium binary (`AUTOBOT_CHROMIUM_PATH`, default `/usr/bin/chromium`); never downloaded. */
  chromiumPath: string;
  /** Default and maximum navigation time, in milliseconds. */
  navigationTimeoutMs: number;
  /**
   * Hosts pages may be loaded from (`AUTOBOT_BROWSER_ALLOWED_HOSTS`, comma-separated; `*` = any).
   * Default loopback only, so a chat message cannot make the worker browse the internet or the
   * internal network unless the operator allows it.
   */
  allowedHosts: string[];
  warnings: string[];
}

/** Resolve the configuration from the environment; invalid values warn and fall back. */
export function resolveBrowserWorkerConfig(env: Env = process.env): BrowserWorkerConfig {
  const read = new EnvReader(env);
  return {
    host: read.text('AUTOBOT_BROWSER_HOST', '127.0.0.1'),
    port: read.port('AUTOBOT_BROWSER_PORT', 8004),
    engine: read.choice('AUTOBOT_BROWSER_ENGINE', ['auto', 'chromium', 'fetch'] as const, 'auto'),
    chromiumPath: read.text('AUTOBOT_CHROMIUM_PATH', '/usr/bin/chromium'),
    navigationTimeoutMs: read.integer('AUTOBOT_BROWSER_TIMEOUT_MS', 15_000, 100, 120_000),
    allowedHosts: read
      .list('AUTOBOT_BROWSER_ALLOWED_HOSTS', ['127.0.0.1', 'localhost', '[::1]'])
      .map((h) => h.toLowerCase()),
    warnings: read.warnings,
  };
}
