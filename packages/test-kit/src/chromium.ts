import { CHROMIUM_ARGS } from '@autobot/service-kit';
import type { Browser, LaunchOptions } from 'playwright-core';

/** Debian's Chromium, which the tests drive through playwright-core (no downloaded browser). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Launches {@link CHROMIUM_PATH} with `@autobot/service-kit`'s `CHROMIUM_ARGS` through playwright-core; `options`
 * are passed on (and win). playwright-core is loaded on first use. Close the browser in teardown.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], ...options });
}
