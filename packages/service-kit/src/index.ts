export { CHROMIUM_ARGS } from './chromium.js';
export { serializeRequest, serviceLogger } from './logging.js';
export { readNdjson } from './ndjson.js';
export type { RunningService, RunServiceOptions } from './run-service.js';
export { installErrorHandler, runService } from './run-service.js';
export type { ServiceAppOptions } from './service-app.js';
export { createServiceApp } from './service-app.js';
export type { ServiceErrorCode } from './service-error.js';
export { SERVICE_ERRORS, ServiceError } from './service-error.js';
