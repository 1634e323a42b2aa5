export type { FetchAnswer } from './app.js';
export { buildBrowserApp, SERVICE_NAME } from './app.js';
export { chooseLoader } from './choose-loader.js';
export type { BrowserWorkerConfig, EngineChoice } from './config.js';
export { resolveBrowserWorkerConfig } from './config.js';
export type { PageLoader, PageResult } from './page-loader.js';
export { ChromiumPageLoader, FetchPageLoader } from './page-loader.js';
export {
  ATTR_BROWSER_DURATION_MS,
  ATTR_BROWSER_ENGINE,
  ATTR_BROWSER_FALLBACK_REASON,
  ATTR_BROWSER_TITLE_LENGTH,
} from './semconv.js';
