import { createServiceApp, ServiceError } from '@autobot/service-kit';
import {
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_URL_FULL,
  getTracingService,
  redactUrl,
} from '@autobot/tracing';
import type { FastifyInstance } from 'fastify';
import type { BrowserWorkerConfig } from './config.js';
import type { PageLoader } from './page-loader.js';
import {
  ATTR_BROWSER_DURATION_MS,
  ATTR_BROWSER_ENGINE,
  ATTR_BROWSER_FALLBACK_REASON,
  ATTR_BROWSER_TITLE_LENGTH,
  SPAN_BROWSER_NAVIGATE,
} from './semconv.js';

export const SERVICE_NAME = 'autobot-browser';

interface FetchBody {
  url: string;
  timeoutMs?: number;
}

/** Answer of `POST /api/fetch`. */
export interface FetchAnswer {
  url: string;
  finalUrl: string;
  status: number | null;
  title: string;
  engine: 'chromium' | 'fetch';
  durationMs: number;
}

/**
 * The browser worker: `POST /api/fetch {url, timeoutMs?}` loads the page with `loader` inside one
 * `browser.navigate` span (`browser.engine` = `chromium` or `fetch`) and answers its title.
 * Only `http(s)` URLs on the allowed hosts are loaded (403 otherwise).
 */
export function buildBrowserApp(
  config: BrowserWorkerConfig,
  loader: PageLoader,
  options: { logger?: boolean } = {},
): FastifyInstance {
  const app = createServiceApp(SERVICE_NAME, options);
  const tracing = getTracingService();
  let loaded = 0;
  let failed = 0;

  app.get('/api/health', async () => ({
    status: 'ok',
    service: SERVICE_NAME,
    engine: loader.engine,
    fallbackReason: loader.fallbackReason,
  }));
  app.get('/api/metrics', async () => ({ loaded, failed, tracing: tracing.stats() }));

  app.post<{ Body: FetchBody }>(
    '/api/fetch',
    {
      schema: {
        body: {
          type: 'object',
          required: ['url'],
          properties: {
            url: { type: 'string', minLength: 1, maxLength: 4096 },
            timeoutMs: { type: 'integer', minimum: 100, maximum: 120_000 },
          },
        },
      },
    },
    async (request): Promise<FetchAnswer> => {
      const url = checkUrl(request.body.url, config.allowedHosts);
      const timeoutMs = Math.min(
        request.body.timeoutMs ?? config.navigationTimeoutMs,
        config.navigationTimeoutMs,
      );
      const attributes: Record<string, string | number> = {
        [ATTR_BROWSER_ENGINE]: loader.engine,
        [ATTR_URL_FULL]: redactUrl(url.href),
      };
      if (loader.fallbackReason) attributes[ATTR_BROWSER_FALLBACK_REASON] = loader.fallbackReason;
      return tracing.span(SPAN_BROWSER_NAVIGATE, { attributes }, async (span) => {
        const started = performance.now();
        try {
          const page = await loader.load(url.href, timeoutMs);
          const durationMs = performance.now() - started;
          if (page.status !== null) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, page.status);
          span.setAttribute(ATTR_BROWSER_TITLE_LENGTH, page.title.length);
          span.setAttribute(ATTR_BROWSER_DURATION_MS, durationMs);
          loaded++;
          return { url: url.href, ...page, engine: loader.engine, durationMs };
        } catch (error) {
          failed++;
          span.setAttribute(ATTR_BROWSER_DURATION_MS, performance.now() - started);
          throw new ServiceError(
            'AUTOBOT_ERR_BROWSER_NAVIGATION',
            `could not load ${redactUrl(url.href)} with ${loader.engine}: ${(error as Error)?.message ?? error}`,
            502,
            { cause: error },
          );
        }
      });
    },
  );
  return app;
}

function checkUrl(raw: string, allowedHosts: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ServiceError(
      'AUTOBOT_ERR_BROWSER_BAD_URL',
      `not a URL: ${JSON.stringify(raw.slice(0, 200))}`,
      400,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ServiceError(
      'AUTOBOT_ERR_BROWSER_BAD_URL',
      `only http and https URLs are loaded, got ${url.protocol}`,
      400,
    );
  }
  if (!allowedHosts.includes('*') && !allowedHosts.includes(url.hostname.toLowerCase())) {
    throw new ServiceError(
      'AUTOBOT_ERR_BROWSER_HOST_NOT_ALLOWED',
      `host ${url.hostname} is not allowed; allowed: ${allowedHosts.join(', ')} (AUTOBOT_BROWSER_ALLOWED_HOSTS)`,
      403,
    );
  }
  return url;
}
