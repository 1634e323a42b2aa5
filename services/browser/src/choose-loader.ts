import { ServiceError } from '@autobot/service-kit';
import type { BrowserWorkerConfig } from './config.js';
import { ChromiumPageLoader, FetchPageLoader, type PageLoader } from './page-loader.js';

/**
 * Pick the page loader: `fetch` when configured; otherwise launch Chromium, and in `auto` mode
 * fall back to fetch with the reason when it is missing or fails to start. In `chromium` mode a
 * failed launch rejects with `AUTOBOT_ERR_BROWSER_CHROMIUM_UNAVAILABLE` (the worker does not start).
 */
export async function chooseLoader(config: BrowserWorkerConfig): Promise<PageLoader> {
  if (config.engine === 'fetch') return new FetchPageLoader();
  try {
    return await ChromiumPageLoader.launch(config.chromiumPath);
  } catch (error) {
    const reason = `chromium unavailable at ${config.chromiumPath}: ${firstLine(error)}`;
    if (config.engine === 'chromium') {
      throw new ServiceError('AUTOBOT_ERR_BROWSER_CHROMIUM_UNAVAILABLE', reason, 503, { cause: error });
    }
    return new FetchPageLoader(reason);
  }
}

function firstLine(error: unknown): string {
  const text = String((error as Error)?.message ?? error);
  return text.split('\n')[0]?.slice(0, 300) ?? text;
}
