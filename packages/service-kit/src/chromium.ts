/**
 * Flags for Debian's Chromium in a container: headless, no sandbox (services and tests may run
 * as root), no GPU, and no background traffic (updates, sync, first-run pages) that would add
 * requests nobody asked for. The browser worker launches Chromium with them, and so do the
 * tests (`@autobot/test-kit`'s `launchChromium`).
 */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]);
