export { buildAiStackApp, SERVICE_NAME } from './app.js';
export type { AiStackConfig } from './config.js';
export { DEFAULT_DEV_MODEL_URL, resolveAiStackConfig } from './config.js';
