export type { PageConfig } from './app.js';
export { buildFrontendApp, SERVICE_NAME } from './app.js';
export type { FrontendConfig } from './config.js';
export { resolveFrontendConfig } from './config.js';
