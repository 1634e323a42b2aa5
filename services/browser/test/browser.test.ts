import { createServer, type Server } from 'node:http';
import { getTracingService } from '@autobot/tracing';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBrowserApp,
  ChromiumPageLoader,
  chooseLoader,
  FetchPageLoader,
  type PageLoader,
  resolveBrowserWorkerConfig,
} from '../src/index.js';

const exporter = new InMemorySpanExporter();
const tracing = getTracingService();
tracing.initialize(
  { serviceName: 'browser-test', spanExporter: exporter, handleSignals: false, scheduledDelayMs: 1 },
  {},
);
let site: Server;
let siteUrl: string;

beforeAll(async () => {
  site = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<html><head><title>Local &amp; test page</title></head><body>hi</body></html>');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const address = site.address();
  siteUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
});
afterAll(async () => {
  await new Promise((resolve) => site.close(resolve));
  await tracing.shutdown();
});

async function fetchWith(loader: PageLoader, url: string) {
  const app = buildBrowserApp(resolveBrowserWorkerConfig({}), loader);
  try {
    exporter.reset();
    const response = await app.inject({ method: 'POST', url: '/api/fetch', payload: { url } });
    await tracing.forceFlush();
    return { response, span: exporter.getFinishedSpans().find((s) => s.name === 'browser.navigate') };
  } finally {
    await app.close();
  }
}

describe('POST /api/fetch', () => {
  it('loads the page with plain fetch when told to, and the span says so with the reason', async () => {
    const { response, span } = await fetchWith(new FetchPageLoader('chromium unavailable: test'), siteUrl);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ title: 'Local & test page', engine: 'fetch', status: 200 });
    expect(span?.attributes).toMatchObject({
      'browser.engine': 'fetch',
      'browser.fallback_reason': 'chromium unavailable: test',
      'http.response.status_code': 200,
      'browser.title_length': 17,
    });
  });

  it('loads the page in the real Debian Chromium', async () => {
    const loader = await ChromiumPageLoader.launch('/usr/bin/chromium');
    try {
      const { response, span } = await fetchWith(loader, siteUrl);
      expect(response.json()).toMatchObject({ title: 'Local & test page', engine: 'chromium', status: 200 });
      expect(span?.attributes['browser.engine']).toBe('chromium');
    } finally {
      await loader.close();
    }
  }, 30_000);

  it('falls back to fetch with a reason when Chromium is missing (auto), fails in chromium mode', async () => {
    const loader = await chooseLoader(
      resolveBrowserWorkerConfig({ AUTOBOT_CHROMIUM_PATH: '/nonexistent/chromium' }),
    );
    expect(loader.engine).toBe('fetch');
    expect(loader.fallbackReason).toContain('/nonexistent/chromium');
    await expect(
      chooseLoader(
        resolveBrowserWorkerConfig({
          AUTOBOT_CHROMIUM_PATH: '/nonexistent/chromium',
          AUTOBOT_BROWSER_ENGINE: 'chromium',
        }),
      ),
    ).rejects.toMatchObject({
      code: 'AUTOBOT_ERR_BROWSER_CHROMIUM_UNAVAILABLE',
      message: expect.stringContaining('chromium unavailable at /nonexistent/chromium'),
    });
  });

  it('refuses other hosts, other schemes and non-URLs with coded 4xx; an unreachable page is a 502 span error', async () => {
    const loader = new FetchPageLoader();
    const host = await fetchWith(loader, 'http://example.com/');
    expect(host.response.statusCode).toBe(403);
    expect(host.response.json().error.code).toBe('AUTOBOT_ERR_BROWSER_HOST_NOT_ALLOWED');
    expect((await fetchWith(loader, 'file:///etc/passwd')).response.json().error.code).toBe(
      'AUTOBOT_ERR_BROWSER_BAD_URL',
    );
    expect((await fetchWith(loader, 'not a url')).response.statusCode).toBe(400);
    const down = await fetchWith(loader, 'http://127.0.0.1:1/');
    expect(down.response.statusCode).toBe(502);
    expect(down.response.json().error.code).toBe('AUTOBOT_ERR_BROWSER_NAVIGATION');
    expect(down.span?.status.code).toBe(2);
  });
});
