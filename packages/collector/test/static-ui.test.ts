import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../src/index.js';
import { startTestCollector } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'collector-ui-'));
let c: RunningCollector;

beforeAll(async () => {
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>viewer</title>');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  c = await startTestCollector({ uiDir: dir });
});
afterAll(async () => {
  await c?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string) {
  const res = await fetch(`http://127.0.0.1:${c.queryPort}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

// fetch() normalises "..", so send a raw path to test traversal.
function rawGet(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: c.queryPort, path }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static UI on the query port', () => {
  it('serves index.html at / and files by path', async () => {
    expect(await get('/')).toMatchObject({ status: 200, text: expect.stringContaining('viewer') });
    expect(await get('/assets/app.js')).toMatchObject({
      status: 200,
      type: expect.stringMatching(/javascript/),
    });
  });

  it('falls back to index.html for client routes', async () => {
    for (const path of ['/search', '/trace/0af7651916cd43dd8448eb211c80319c', '/map']) {
      expect(await get(path)).toMatchObject({ status: 200, type: expect.stringMatching(/text\/html/) });
    }
  });

  it('keeps /api 404s as JSON and never escapes the folder', async () => {
    const api = await get('/api/nope');
    expect(api.status).toBe(404);
    expect(JSON.parse(api.text).errors[0].code).toBe(404);
    expect(await rawGet('/../../../../etc/passwd')).not.toMatch(/root:/);
    expect(await rawGet('/%2e%2e/%2e%2e/%2e%2e/etc/passwd')).not.toMatch(/root:/);
  });
});

describe('a Jaeger UI build in --ui-dir', () => {
  // The exact lines jaeger-ui's index.html carries for jaeger-query's search-replace
  // (jaegertracing/jaeger-ui packages/jaeger-ui/index.html, "Jaeger looks for that exact pattern").
  const JAEGER_INDEX = `<!doctype html><title>Jaeger UI</title><script>
      function _getJaegerStorageCapabilities() {
        const DEFAULT_STORAGE_CAPABILITIES = { archiveStorage: false, metricsStorage: false };
        const JAEGER_STORAGE_CAPABILITIES = DEFAULT_STORAGE_CAPABILITIES;
        return JAEGER_STORAGE_CAPABILITIES;
      }
      function getJaegerBackendCapabilities() {
        const DEFAULT_BACKEND_CAPABILITIES = { ..._getJaegerStorageCapabilities(), aiAssistant: false };
        const JAEGER_BACKEND_CAPABILITIES = DEFAULT_BACKEND_CAPABILITIES;
        return JAEGER_BACKEND_CAPABILITIES;
      }</script>`;

  it('gets metricsStorage filled in, so its Monitor tab shows; our viewer page is sent unchanged', async () => {
    const { resolveStatic } = await import('../src/api/static-ui.js');
    const jaeger = mkdtempSync(join(tmpdir(), 'jaeger-ui-'));
    try {
      writeFileSync(join(jaeger, 'index.html'), JAEGER_INDEX);
      const page = (await resolveStatic(jaeger, '/monitor', { metricsStorage: true }))?.body.toString();
      expect(page).toContain(
        'const JAEGER_STORAGE_CAPABILITIES = {"archiveStorage":false,"metricsStorage":true};',
      );
      expect(page).toContain(
        'const JAEGER_BACKEND_CAPABILITIES = {"archiveStorage":false,"metricsStorage":true,"aiAssistant":false};',
      );
      const off = (await resolveStatic(jaeger, '/', { metricsStorage: false }))?.body.toString();
      expect(off).toContain('"metricsStorage":false');
      const viewer = (await resolveStatic(dir, '/', { metricsStorage: true }))?.body.toString();
      expect(viewer).toBe('<!doctype html><title>viewer</title>');
    } finally {
      rmSync(jaeger, { recursive: true, force: true });
    }
  });
});
