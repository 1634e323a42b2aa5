export type { PageConfig } from '../page-config.js';
export { buildFrontendApp } from './app.js';
export type { FrontendConfig, RelayConfig } from './config.js';
export {
  DEFAULT_RELAY_MAX_BODY_BYTES,
  DEFAULT_RELAY_RATE_LIMIT_PER_MINUTE,
  DEFAULT_RELAY_TIMEOUT_MS,
  resolveFrontendConfig,
  SERVICE_NAME,
} from './config.js';
export { otlpRelay, RELAY_ERRORS } from './otlp-relay.js';
