// Drives the real Jaeger UI in Chromium (test-kit's launchChromium: /usr/bin/chromium with the
// container flags): screenshots of each page and a log of every /api request and its status, plus
// console errors. Usage:
//   BASE=http://127.0.0.1:16686 OUT=/tmp/shots node capture.mjs [search|deps|monitor|upload|compare]
// The upload step uploads a small OTLP/JSON file it writes into OUT.

import { mkdirSync, writeFileSync } from 'node:fs';
import { launchChromium } from '@autobot/test-kit';

const BASE = process.env.BASE ?? 'http://127.0.0.1:25173';
const OUT = process.env.OUT ?? '/tmp/jaeger-ui-shots';
mkdirSync(OUT, { recursive: true });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const log = [];
let stage = 'init';
page.on('response', (r) => {
  const u = new URL(r.url());
  if (u.pathname.startsWith('/api/'))
    log.push({ stage, status: r.status(), method: r.request().method(), url: u.pathname + u.search });
});
page.on('requestfailed', (r) => {
  const u = new URL(r.url());
  if (u.pathname.startsWith('/api/'))
    log.push({ stage, status: `FAILED ${r.failure()?.errorText}`, url: u.pathname + u.search });
});
const consoleMsgs = [];
page.on('console', (m) => {
  if (m.type() === 'error' || m.type() === 'warning')
    consoleMsgs.push({ stage, type: m.type(), text: m.text().slice(0, 400) });
});
page.on('worker', (w) => consoleMsgs.push({ stage, type: 'worker', text: w.url() }));
page.on('pageerror', (e) => consoleMsgs.push({ stage, type: 'pageerror', text: String(e).slice(0, 400) }));
/** A two-span OTLP/JSON trace (service uploaded-svc), as the Upload tab takes a file. */
function uploadFile() {
  const t = Date.now();
  const ns = (ms) => `${ms}000000`;
  const traceId = [...Array(32)].map(() => Math.floor(Math.random() * 16).toString(16)).join('');
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'uploaded-svc' } }] },
        scopeSpans: [
          {
            scope: { name: 'upload' },
            spans: [
              {
                traceId,
                spanId: '0000000000000001',
                name: 'GET /upload',
                kind: 2,
                startTimeUnixNano: ns(t - 500),
                endTimeUnixNano: ns(t - 100),
              },
              {
                traceId,
                spanId: '0000000000000002',
                parentSpanId: '0000000000000001',
                name: 'child',
                kind: 3,
                startTimeUnixNano: ns(t - 400),
                endTimeUnixNano: ns(t - 200),
                status: { code: 2 },
              },
            ],
          },
        ],
      },
    ],
  };
  writeFileSync(`${OUT}/upload-otlp.json`, JSON.stringify(body));
  return `${OUT}/upload-otlp.json`;
}
const shot = async (name) => {
  await page.screenshot({ path: `${OUT}/${name}.png` });
  console.log('shot', name);
};
const settle = (ms = 2500) => page.waitForTimeout(ms);
const only = process.argv[2];
try {
  if (!only || only === 'search') {
    stage = 'search';
    await page.goto(`${BASE}/search`, { waitUntil: 'networkidle', timeout: 120000 });
    await settle(3000);
    await shot('01-search-empty');
    await page.goto(`${BASE}/search?service=frontend&limit=20&lookback=1h`, {
      waitUntil: 'networkidle',
      timeout: 120000,
    });
    await settle(4000);
    await shot('02-search-results');
    stage = 'trace';
    const link = page.locator('a[href*="/trace/"]').filter({ hasText: 'frontend' }).first();
    if (await link.count()) {
      const href = await link.getAttribute('href');
      console.log('trace link', href);
      await link.click();
      await page.waitForLoadState('networkidle');
      await settle(4000);
      await shot('03-trace');
    } else console.log('NO TRACE LINK');
  }
  if (!only || only === 'deps') {
    stage = 'dependencies';
    await page.goto(`${BASE}/dependencies`, { waitUntil: 'networkidle', timeout: 120000 });
    await settle(15000);
    await shot('04-dependencies');
  }
  if (!only || only === 'monitor') {
    stage = 'monitor';
    await page.goto(`${BASE}/monitor`, { waitUntil: 'networkidle', timeout: 120000 });
    await page
      .waitForSelector('.service-view-container', { timeout: 90000 })
      .catch(() => console.log('no service view'));
    await settle(5000);
    await shot('05-monitor-default');
    await page.goto(`${BASE}/monitor?service=frontend`, { waitUntil: 'networkidle', timeout: 120000 });
    await settle(6000);
    await page.screenshot({ path: `${OUT}/06-monitor-frontend.png`, fullPage: true });
    console.log('shot 06');
    stage = 'monitor-client';
    await page.goto(`${BASE}/monitor?service=driver&spanKind=client`, {
      waitUntil: 'networkidle',
      timeout: 120000,
    });
    await settle(6000);
    await page.screenshot({ path: `${OUT}/07-monitor-driver-client.png`, fullPage: true });
    console.log('shot 07');
  }
  if (!only || only === 'upload') {
    stage = 'upload';
    await page.goto(`${BASE}/search`, { waitUntil: 'networkidle', timeout: 120000 });
    await settle(2000);
    await page.getByText('Upload', { exact: true }).first().click();
    await settle(1000);
    await page.locator('input[type=file]').first().setInputFiles(uploadFile());
    await settle(5000);
    await shot('08-upload-otlp');
  }
  if (!only || only === 'compare') {
    stage = 'compare';
    const r = await (await fetch(`${BASE}/api/traces?service=frontend&limit=2&lookback=1h`)).json();
    const [a, b] = r.data.map((t) => t.traceID);
    await page.goto(`${BASE}/trace/${a}...${b}?cohort=${a}&cohort=${b}`, {
      waitUntil: 'networkidle',
      timeout: 120000,
    });
    await settle(5000);
    await shot('09-compare');
  }
} catch (e) {
  console.log('ERROR', e);
  await shot('zz-error').catch(() => {});
}
writeFileSync(`${OUT}/api-log.json`, JSON.stringify(log, null, 1));
writeFileSync(`${OUT}/console.json`, JSON.stringify(consoleMsgs, null, 1));
for (const l of log) console.log(l.stage, l.status, l.method ?? '', l.url);
console.log('--- console');
for (const c of consoleMsgs) console.log(c.stage, c.type, c.text);
await browser.close();
