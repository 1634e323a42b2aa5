import { access, constants } from 'node:fs/promises';
import { CHROMIUM_ARGS } from '@autobot/service-kit';
import type { Browser } from 'playwright-core';

const MAX_FETCH_BYTES = 2 * 1024 * 1024;

/** What one page load found. */
export interface PageResult {
  finalUrl: string;
  status: number | null;
  title: string;
}

/** Loads a page and reads its title; `engine` names the mechanism for the span. */
export interface PageLoader {
  readonly engine: 'chromium' | 'fetch';
  /** Why this loader was chosen when Chromium was wanted but is not used. */
  readonly fallbackReason?: string;
  load(url: string, timeoutMs: number): Promise<PageResult>;
  close(): Promise<void>;
}

/** Plain HTTP GET; the title comes from the first `<title>` of at most 2 MiB of HTML. */
export class FetchPageLoader implements PageLoader {
  readonly engine = 'fetch' as const;
  constructor(readonly fallbackReason?: string) {}

  async load(url: string, timeoutMs: number): Promise<PageResult> {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    const html = await readCapped(response, MAX_FETCH_BYTES);
    const match = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html);
    return {
      finalUrl: response.url || url,
      status: response.status,
      title: decodeEntities(match?.[1]?.trim() ?? ''),
    };
  }

  async close(): Promise<void> {}
}

/** A real headless Chromium through playwright-core; one browser, one context per page load. */
export class ChromiumPageLoader implements PageLoader {
  readonly engine = 'chromium' as const;
  readonly fallbackReason = undefined;
  private constructor(private readonly browser: Browser) {}

  /** Launch Chromium at `executablePath`; rejects when it is missing or does not start. */
  static async launch(executablePath: string, timeoutMs = 30_000): Promise<ChromiumPageLoader> {
    await access(executablePath, constants.X_OK);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], timeout: timeoutMs });
    return new ChromiumPageLoader(browser);
  }

  async load(url: string, timeoutMs: number): Promise<PageResult> {
    const context = await this.browser.newContext({ javaScriptEnabled: true });
    try {
      const page = await context.newPage();
      const response = await page.goto(url, { timeout: timeoutMs, waitUntil: 'load' });
      return { finalUrl: page.url(), status: response?.status() ?? null, title: await page.title() };
    } finally {
      await context.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => {});
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of response.body) {
    bytes += chunk.byteLength;
    text += decoder.decode(chunk, { stream: true });
    if (bytes >= maxBytes) break;
  }
  return text;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
