import type { Browser, LaunchOptions } from 'playwright-core';

/** Debian's Chromium, which the tests drive through playwright-core (no downloaded browser). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for Chromium in a container: headless, no sandbox (tests may run as root), no GPU, and
 * no background traffic that would add requests to what a test observes.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Launches {@link CHROMIUM_PATH} with {@link CHROMIUM_ARGS} through playwright-core; `options`
 * are passed on (and win). playwright-core is loaded on first use. Close the browser in teardown.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], ...options });
}
