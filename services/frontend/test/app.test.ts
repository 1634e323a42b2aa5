import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFrontendApp, resolveFrontendConfig } from '../src/node/index.js';

// The built page (npm run build); the suite runs after the build.
const webDir = fileURLToPath(new URL('../dist/web', import.meta.url));
const app = buildFrontendApp(resolveFrontendConfig(webDir, { AUTOBOT_SERVICE_VERSION: '2.1.0-rc1' }));
afterAll(() => app.close());

describe('frontend server', () => {
  it('the built page exists', () => {
    expect(existsSync(`${webDir}/index.html`)).toBe(true);
  });

  it('serves the favicon the page links to (no 404 in the console)', async () => {
    const page = await app.inject({ url: '/' });
    const href = /<link rel="icon"[^>]*href="([^"]+)"/.exec(page.body)?.[1];
    expect(href).toBe('/favicon.svg');
    const icon = await app.inject({ url: href });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toBe('image/svg+xml');
  });

  it("the page's service.version comes from the server's environment, default 2.0.0", async () => {
    expect((await app.inject({ url: '/config.json' })).json()).toMatchObject({ serviceVersion: '2.1.0-rc1' });
    expect(resolveFrontendConfig(webDir, {}).serviceVersion).toBe('2.0.0');
  });
});
