/**
 * The viewer in a real browser (Debian Chromium through playwright-core) against the real
 * collector: search with the spec's queries, the waterfall, the LLM view, deep links, the XSS
 * canary and a 10,000-span trace. Screenshots go to `test-artifacts/` at the repo root.
 */
import { resolve } from 'node:path';
import {
  type CollectorProcess,
  launchChromium,
  postOtlp,
  startCollectorProcess,
  waitForTrace,
} from '@autobot/test-kit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bigTrace,
  CANARY_NAME,
  CANARY_SERVICE,
  CANARY_URL,
  canaryTrace,
  multiServiceTrace,
  newSpanId,
  newTraceId,
  otlpRequest,
} from './otlp-fixtures.js';
import { prepareArtifacts, screenshot, VIEWER } from './screenshots.js';
import { resultTraceIds, searchAnswered } from './search-page.js';

/** Upper bound for opening the 10,000-span trace (generous: 2 shared cores, cold browser). */
const BIG_TRACE_BUDGET_MS = 10_000;

let collector: CollectorProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];
let multi: ReturnType<typeof multiServiceTrace>;
let canary: ReturnType<typeof canaryTrace>;
let big: ReturnType<typeof bigTrace>;

function shot(name: string): Promise<void> {
  return screenshot(page, name);
}

const resultIds = () => resultTraceIds(page);

async function runExample(query: string): Promise<string[]> {
  await page.goto(`${collector.baseUrl}/search?live=off`);
  await page.locator(`.example-chip[data-query="${query}"]`).click();
  await expect.poll(async () => page.locator('#f-query').inputValue()).toBe(query);
  await searchAnswered(page);
  return resultIds();
}

describe('viewer in Chromium against the collector', () => {
  beforeAll(async () => {
    prepareArtifacts();
    collector = await startCollectorProcess({ uiDir: resolve(VIEWER, 'dist') });
    const now = Date.now();
    multi = multiServiceTrace(now - 60_000);
    canary = canaryTrace(now - 30_000);
    big = bigTrace(now - 120_000);
    await postOtlp(collector.httpPort, multi.body);
    await postOtlp(collector.httpPort, canary.body);
    for (const body of big.bodies) await postOtlp(collector.httpPort, body);
    await waitForTrace(collector.baseUrl, multi.traceId, 8);
    await waitForTrace(collector.baseUrl, canary.traceId, 2);
    await waitForTrace(collector.baseUrl, big.traceId, 10_000, 30_000);

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await collector?.stop();
  });

  it('lists the seeded traces with chips, a duration bar and the scatter plot', async () => {
    await page.goto(`${collector.baseUrl}/search?live=off`);
    const row = page.locator(`.results li[data-trace-id="${multi.traceId}"]`);
    await row.waitFor();
    await expect
      .poll(() => row.locator('.chip').allTextContents())
      .toEqual(['autobot-ai-stack', 'autobot-backend', 'autobot-frontend', 'autobot-npu-worker']);
    expect(await row.locator('.badge-error').textContent()).toBe('1 error');
    expect(await row.locator('.result-title').textContent()).toBe('autobot-frontend: HTTP GET /chat');
    expect(await page.locator(`.scatter circle[data-trace-id="${multi.traceId}"]`).count()).toBe(1);
    // The service picker is filled from the store.
    const services = await page.locator('#f-service option').allTextContents();
    expect(services).toEqual(expect.arrayContaining(['autobot-backend', 'autobot-ai-stack', CANARY_SERVICE]));
    await shot('search');
    await page.locator(`.scatter circle[data-trace-id="${multi.traceId}"]`).click();
    await page.waitForURL(`**/trace/${multi.traceId}`);
    await page.locator('.wf-row').first().waitFor();
  });

  it('finds the trace with each of the spec example queries', async () => {
    const slow = await runExample('llm.duration_ms > 5000');
    expect(slow).toContain(multi.traceId);
    expect(slow).not.toContain(big.traceId);
    expect(slow).not.toContain(canary.traceId);
    const sshErr = await runExample('name = ssh.distribute_certificates and status = error');
    expect(sshErr).toEqual([multi.traceId]);
    const vm = await runExample('ssh.target_vm = frontend');
    expect(vm).toEqual([multi.traceId]);
    expect(new URL(page.url()).searchParams.get('q')).toBe('ssh.target_vm = frontend');
  });

  it('a recent trace still receiving spans updates itself and says so', async () => {
    const traceId = newTraceId();
    const rootId = newSpanId();
    const base = Date.now() - 2000;
    const root = {
      id: rootId,
      name: 'HTTP POST /api/chat',
      service: 'autobot-backend',
      startMs: 0,
      durationMs: 900,
    };
    await postOtlp(collector.httpPort, otlpRequest(traceId, base, [root]));
    await waitForTrace(collector.baseUrl, traceId, 1);
    await page.goto(`${collector.baseUrl}/trace/${traceId}`);
    await page.locator('.wf-row').first().waitFor();
    expect(await page.locator('.wf-row').count()).toBe(1);
    expect(await page.locator('.trace-live').textContent()).toContain('Receiving spans');
    // No LLM span, no "LLM first chunk" legend.
    expect(await page.locator('.legend-ttfc').count()).toBe(0);
    // The ai-stack's batch arrives later: the page shows it without a reload.
    const llm = {
      parent: rootId,
      name: 'llm.inference',
      service: 'autobot-ai-stack',
      startMs: 100,
      durationMs: 700,
      attrs: { 'llm.model': 'mistral', 'llm.time_to_first_chunk_ms': 120 },
    };
    await postOtlp(collector.httpPort, otlpRequest(traceId, base, [llm]));
    await expect.poll(() => page.locator('.wf-row').count(), { timeout: 15_000 }).toBe(2);
    expect(await page.locator('.legend-ttfc').count()).toBe(1);
    expect(await page.locator('.trace-live').textContent()).toContain('2 so far');
  });

  it('shows a syntax error at its column', async () => {
    await page.goto(`${collector.baseUrl}/search?live=off`);
    await page.locator('#f-query').fill('llm.duration_ms > > 5000');
    await page.locator('#f-query').press('Enter');
    const err = page.locator('#query-error');
    await err.waitFor({ state: 'visible' });
    expect(await err.textContent()).toContain('column 19');
    expect(await err.locator('.query-caret-mark').textContent()).toBe('>');
    expect(await page.locator('#f-query').getAttribute('aria-invalid')).toBe('true');
  });

  it('combines the service and operation pickers with the query', async () => {
    await page.goto(
      `${collector.baseUrl}/search?live=off&service=autobot-npu-worker&operation=npu.inference`,
    );
    await expect.poll(() => page.locator('#f-operation').inputValue()).toBe('npu.inference');
    await page.locator(`.results li[data-trace-id="${big.traceId}"]`).waitFor();
    const ids = await resultIds();
    expect(ids).toContain(multi.traceId);
    expect(ids).not.toContain(canary.traceId);
    // Pickers and query apply to the same span (as Jaeger's service + tags do): no npu.inference
    // span has ssh.target_vm, but the backend's ssh span does.
    await page.locator('#f-query').fill('ssh.target_vm = frontend');
    await page.locator('#f-query').press('Enter');
    await expect.poll(() => page.locator('.result-status').textContent()).toBe('No traces match.');
    await page.locator('#f-service').selectOption('autobot-backend');
    await page.locator('button[type="submit"]').click();
    await expect.poll(resultIds).toEqual([multi.traceId]);
    expect(new URL(page.url()).searchParams.get('service')).toBe('autobot-backend');
  });

  it('opens a trace from the list, collapses and expands with mouse and keyboard', async () => {
    await page.goto(`${collector.baseUrl}/search?live=off`);
    await page.locator(`.results li[data-trace-id="${multi.traceId}"] a`).click();
    await page.waitForURL(`**/trace/${multi.traceId}`);
    await page.locator('.wf-row').first().waitFor();
    expect(await page.locator('[data-stat="spans"] dd').textContent()).toBe('8');
    expect(await page.locator('[data-stat="depth"] dd').textContent()).toBe('4');
    expect(await page.locator('.trace-id').textContent()).toBe(multi.traceId);
    expect(await page.locator('.wf-row').count()).toBe(8);
    // Critical path drawn, error span marked.
    expect(await page.locator('.wf-critical').count()).toBeGreaterThan(0);
    // The LLM call's 5250 ms decode is 71% of the 7400 ms critical path; the call as a whole 84%.
    const summary = page.locator('.critical-summary');
    expect(await summary.textContent()).toBe(
      'Critical path: 71% in decode of llm.inference (llama3.2:3b, autobot-ai-stack) — the whole call 84%',
    );
    expect(await summary.getAttribute('data-phase')).toBe('decode');
    expect(
      await page
        .locator('.wf-row[data-name="llm.inference"] .wf-critical[data-phase]')
        .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.phase)),
    ).toEqual(['overhead', 'load', 'prefill', 'decode', 'overhead']);
    await summary.locator('button').click();
    expect(await page.locator('.wf-row.selected').getAttribute('data-span-id')).toBe(multi.llmSpanId);
    await page.locator('.span-details button.close').click();
    expect(await page.locator('.wf-row.error[data-name="ssh.distribute_certificates"]').count()).toBe(1);

    const backendToggle = page.locator('.wf-row[data-name="HTTP POST /api/chat"] .wf-toggle');
    await backendToggle.click();
    expect(await page.locator('.wf-row').count()).toBe(2);
    expect(await page.locator('.wf-row[data-name="HTTP POST /api/chat"]').getAttribute('aria-expanded')).toBe(
      'false',
    );
    await page.locator('.wf-row[data-name="HTTP POST /api/chat"] .wf-toggle').click();
    expect(await page.locator('.wf-row').count()).toBe(8);

    // Keyboard: select root, move down, collapse with ArrowLeft, expand with ArrowRight.
    await page.locator('.wf-row').first().click();
    await page.locator('.wf-viewport').focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('.wf-row.selected').getAttribute('data-name')).toBe('HTTP POST /api/chat');
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('.wf-row').count()).toBe(2);
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('.wf-row').count()).toBe(8);
    await page.locator('button', { hasText: 'Collapse all' }).click();
    expect(await page.locator('.wf-row').count()).toBe(2);
    await page.locator('button', { hasText: 'Expand all' }).click();
    expect(await page.locator('.wf-row').count()).toBe(8);
  });

  it('opens the llm.inference span and shows tokens, first chunk and messages', async () => {
    await page.locator('.wf-row[data-name="llm.inference"]').click();
    const view = page.locator('[data-section="llm-view"]');
    await view.waitFor();
    expect(await view.locator('[data-fact="tokens-in"] dd').textContent()).toBe('412');
    expect(await view.locator('[data-fact="tokens-out"] dd').textContent()).toBe('128');
    expect(await view.locator('[data-fact="model"] dd').textContent()).toBe('llama3.2:3b');
    expect(await view.locator('[data-fact="ttfc"] dd').textContent()).toBe('after 850ms');
    expect(await view.locator('.messages.input pre').textContent()).toBe('Summarise the logs');
    expect(await page.locator('.wf-row[data-name="llm.inference"] .wf-ttfc').count()).toBe(1);
    expect(
      await page.locator('[data-section="attrs-llm"] tr[data-key="llm.prompt_tokens"] td').textContent(),
    ).toBe('412');
    expect(new URL(page.url()).searchParams.get('span')).toBe(multi.llmSpanId);
    await shot('trace');
    // The parent link selects the parent in place.
    await page.locator('.span-details .fact a', { hasText: 'HTTP POST /inference' }).click();
    await expect.poll(() => page.locator('.details-head h2').textContent()).toBe('HTTP POST /inference');
    await page.locator('.wf-row[data-name="llm.inference"]').click();
  });

  it('shows the error span with status and exception stack', async () => {
    await page.locator('.wf-row[data-name="ssh.distribute_certificates"]').click();
    expect(await page.locator('[data-fact="status"] dd').textContent()).toMatch(/ERROR: permission denied/);
    expect(
      await page.locator('[data-section="attrs-ssh"] tr[data-key="ssh.target_vm"] td').textContent(),
    ).toBe('frontend');
    expect(await page.locator('.event.exception .stack').textContent()).toContain('at connect (ssh.ts:10:5)');
  });

  it('exports the trace as Jaeger JSON and OTLP JSON', async () => {
    const jaegerHref = await page.locator('a', { hasText: 'Export Jaeger JSON' }).getAttribute('href');
    const otlpHref = await page.locator('a', { hasText: 'Export OTLP JSON' }).getAttribute('href');
    const jaeger = (await (await page.request.get(`${collector.baseUrl}${jaegerHref}`)).json()) as {
      data: { spans: unknown[] }[];
    };
    expect(jaeger.data[0]?.spans).toHaveLength(8);
    const otlp = JSON.stringify(await (await page.request.get(`${collector.baseUrl}${otlpHref}`)).json());
    expect(otlp).toContain('resourceSpans');
    expect(otlp).toContain('llm.inference');
  });

  it('follows a deep link straight to a span', async () => {
    const fresh = await context.newPage();
    try {
      await fresh.goto(`${collector.baseUrl}/trace/${multi.traceId}?span=${multi.llmSpanId}`);
      await fresh.locator('[data-section="llm-view"]').waitFor();
      expect(await fresh.locator('.details-head h2').textContent()).toBe('llm.inference');
      expect(await fresh.locator('.wf-row.selected').getAttribute('data-span-id')).toBe(multi.llmSpanId);
      // Back to search through the SPA, then history back returns to the trace.
      await fresh.locator('a.nav-link', { hasText: 'Search' }).click();
      await fresh.waitForURL('**/search');
      await fresh.goBack();
      await fresh.locator('.details-head h2').waitFor();
    } finally {
      await fresh.close();
    }
  });

  it('renders the XSS canary as literal text and executes nothing', async () => {
    await page.goto(`${collector.baseUrl}/search?live=off`);
    const row = page.locator(`.results li[data-trace-id="${canary.traceId}"]`);
    await row.waitFor();
    expect(await row.locator('.result-title').textContent()).toBe(`${CANARY_SERVICE}: ${CANARY_NAME}`);
    await row.locator('a').click();
    await page.locator('.wf-row').first().waitFor();
    await page.locator('.wf-row').first().click();
    await page.locator('.details-head h2').waitFor();
    expect(await page.locator('.details-head h2').textContent()).toBe(CANARY_NAME);
    expect(await page.locator('tr[data-key="http.url"] td').textContent()).toBe(CANARY_URL);
    expect(await page.locator('tr[data-key="note"] td').textContent()).toBe('<script>alert(4)</script>');
    await page.locator('.wf-row').nth(1).click();
    expect(await page.locator('tr[data-key="ssh.target_vm"] td').textContent()).toBe(
      '"><img src=x onerror=alert(5)>',
    );
    expect(await page.locator('.event strong').first().textContent()).toBe(CANARY_NAME);
    await page.waitForTimeout(300);
    expect(await page.locator('img, svg[onload], script:not([src])').count()).toBe(0);
    expect(await page.locator('a[href^="javascript"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('opens the 10,000-span trace within a bounded time, with virtualised rows', async () => {
    const started = Date.now();
    await page.goto(`${collector.baseUrl}/trace/${big.traceId}`);
    await page.locator('.wf-row').first().waitFor();
    await expect.poll(() => page.locator('[data-stat="spans"] dd').textContent()).toBe('10000');
    const elapsed = Date.now() - started;
    console.log(
      `10,000-span trace: open-to-rows ${elapsed} ms, render ${await page.locator('#main').getAttribute('data-render-ms')} ms`,
    );
    expect(elapsed).toBeLessThan(BIG_TRACE_BUDGET_MS);
    const domRows = await page.locator('.wf-row').count();
    expect(domRows).toBeGreaterThan(10);
    expect(domRows).toBeLessThan(200);
    expect(await page.locator('.wf-viewport').getAttribute('data-rows')).toBe('10000');
    // Keyboard End goes to the last span, which gets rendered.
    await page.locator('.wf-row').first().click();
    await page.locator('.wf-viewport').focus();
    const t0 = Date.now();
    await page.keyboard.press('End');
    await page.locator('.wf-row.selected').waitFor();
    const lastIndex = await page.locator('.wf-row.selected').evaluate((el) => (el as HTMLElement).style.top);
    expect(Number.parseInt(lastIndex, 10)).toBe(9_999 * 26);
    expect(Date.now() - t0).toBeLessThan(2_000);
    await page.locator('button', { hasText: 'Collapse all' }).click();
    expect(await page.locator('.wf-viewport').getAttribute('data-rows')).toBe('100');
    expect(await page.locator('.wf-row').count()).toBeGreaterThan(10);
    await shot('big-trace');
  });

  it('draws the service map from /api/dependencies', async () => {
    await page.goto(`${collector.baseUrl}/map`);
    await page.locator('.service-map').waitFor();
    expect(await page.locator('.map-node[data-service="autobot-ai-stack"]').count()).toBe(1);
    const rows = await page.locator('table.deps tbody tr').allTextContents();
    expect(rows.some((r) => r.startsWith('autobot-backendautobot-ai-stack'))).toBe(true);
    await shot('map');
  });

  it('shows new traces live and stops when paused', async () => {
    await page.goto(`${collector.baseUrl}/search`);
    await page.locator('.results li').first().waitFor();
    const fresh = multiServiceTrace(Date.now() - 1000);
    await postOtlp(collector.httpPort, fresh.body);
    await waitForTrace(collector.baseUrl, fresh.traceId, 8);
    await page.locator(`.results li.new[data-trace-id="${fresh.traceId}"]`).waitFor({ timeout: 12_000 });

    await page.locator('.live-toggle').click();
    expect(await page.locator('.live-toggle').getAttribute('aria-pressed')).toBe('false');
    const paused = multiServiceTrace(Date.now() - 1000);
    await postOtlp(collector.httpPort, paused.body);
    await waitForTrace(collector.baseUrl, paused.traceId, 8);
    await page.waitForTimeout(6_500);
    expect(await page.locator(`.results li[data-trace-id="${paused.traceId}"]`).count()).toBe(0);
  }, 40_000);
});
