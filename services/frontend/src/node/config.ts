import { type Env, EnvReader, numberInRange } from '@autobot/tracing';

/** Effective configuration of the frontend server and of the page it serves. */
export interface FrontendConfig {
  host: string;
  port: number;
  /** Backend URL as the browser reaches it. */
  backendUrl: string;
  /** OTLP/HTTP traces URL the browser exports to (the collector's port 4318, with CORS). */
  otlpUrl: string;
  /** Viewer base URL for "view trace" links (`<viewer>/trace/<id>`). */
  viewerUrl: string;
  /**
   * `service.version` of the page's spans (`AUTOBOT_SERVICE_VERSION`, default `2.0.0`, the AutoBot
   * release the other services report): served in `/config.json`, not built into the bundle.
   */
  serviceVersion: string;
  /** Root sampling ratio of the page (`AUTOBOT_TRACE_SAMPLE_RATE`, then `OTEL_TRACES_SAMPLER_ARG`; default 1). */
  sampleRate: number;
  /** Directory with the built page (`dist/web`). */
  webDir: string;
  warnings: string[];
}

/** Resolve the configuration from the environment; invalid values warn and fall back. */
export function resolveFrontendConfig(webDir: string, env: Env = process.env): FrontendConfig {
  const read = new EnvReader(env);
  return {
    host: read.text('AUTOBOT_FRONTEND_HOST', '127.0.0.1'),
    port: read.port('AUTOBOT_FRONTEND_PORT', 5173),
    backendUrl: read.url('AUTOBOT_BACKEND_PUBLIC_URL', 'http://127.0.0.1:8001'),
    otlpUrl: read.url('AUTOBOT_BROWSER_OTLP_URL', 'http://127.0.0.1:4318/v1/traces'),
    viewerUrl: read.url('AUTOBOT_VIEWER_URL', 'http://127.0.0.1:16686'),
    serviceVersion: read.text('AUTOBOT_SERVICE_VERSION', '2.0.0'),
    // The page samples as every service does: AUTOBOT_TRACE_SAMPLE_RATE, then OTEL_TRACES_SAMPLER_ARG.
    sampleRate: read.layered(
      ['AUTOBOT_TRACE_SAMPLE_RATE', 'OTEL_TRACES_SAMPLER_ARG'],
      numberInRange(0, 1),
      1,
    ),
    webDir: read.text('AUTOBOT_FRONTEND_DIR', webDir),
    warnings: read.warnings,
  };
}
