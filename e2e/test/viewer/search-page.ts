/** What the Chromium tests read off the viewer's search page. */
import type { Page } from 'playwright-core';

/** Waits until the search has answered: the status line says something, and not "Searching…". */
export async function searchAnswered(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const s = document.querySelector('.result-status')?.textContent ?? '';
    return s !== '' && !s.startsWith('Searching');
  });
}

/** The trace ids of the result list, in order. */
export function resultTraceIds(page: Page): Promise<string[]> {
  return page
    .locator('.results li.result')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.traceId ?? ''));
}
