import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { ROOT } from '@autobot/test-kit';
import type { Page } from 'playwright-core';

/** The installed `@autobot/viewer` package: its `dist` is the build under test, `docs` its README's. */
export const VIEWER = dirname(createRequire(import.meta.url).resolve('@autobot/viewer/package.json'));
const ARTIFACTS = resolve(ROOT, 'test-artifacts');
// Set UPDATE_VIEWER_DOCS=1 to refresh the README screenshots in packages/viewer/docs.
const DOCS = process.env.UPDATE_VIEWER_DOCS === '1' ? resolve(VIEWER, 'docs') : undefined;

/** Creates `test-artifacts/` at the repo root (call once, before the first {@link screenshot}). */
export function prepareArtifacts(): void {
  mkdirSync(ARTIFACTS, { recursive: true });
}

/**
 * Saves `page` as `test-artifacts/viewer-<name>.png`, and as `packages/viewer/docs/<name>.png`
 * with UPDATE_VIEWER_DOCS=1.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  await page.screenshot({ path: resolve(ARTIFACTS, `viewer-${name}.png`), ...options });
  if (DOCS) await page.screenshot({ path: resolve(DOCS, `${name}.png`), ...options });
}
