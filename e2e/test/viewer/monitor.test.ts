/**
 * Span metrics end to end: @autobot/llm calls against the dev model exported to the real
 * collector (Ollama timings, OpenAI cached/reasoning tokens and cost on the stored spans), the
 * LLM and RED figures the collector derives from them, and the Monitor and LLM pages in
 * Chromium. Screenshots go to `test-artifacts/` (and `packages/viewer/docs` with
 * UPDATE_VIEWER_DOCS=1).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CollectorProcess,
  launchChromium,
  postOtlp,
  startCollectorProcess,
  startNode,
  waitForTrace,
} from '@autobot/test-kit';
import { type DevModelServer, startDevModel } from 'autobot-dev-model';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multiServiceTrace } from './otlp-fixtures.js';
import { prepareArtifacts, screenshot, VIEWER } from './screenshots.js';
import { resultTraceIds, searchAnswered } from './search-page.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/llm-calls.mjs', import.meta.url));

let collector: CollectorProcess;
let dev: DevModelServer;
let browser: Browser;
let page: Page;
let llmTraceId: string;
let multi: ReturnType<typeof multiServiceTrace>;
let multiBaseMs: number;
const pageErrors: string[] = [];

interface Tag {
  key: string;
  value: unknown;
}
const tagsOf = (span: { tags: Tag[] }) => Object.fromEntries(span.tags.map((t) => [t.key, t.value]));

function shot(name: string): Promise<void> {
  return screenshot(page, name, { fullPage: true });
}

beforeAll(async () => {
  prepareArtifacts();
  collector = await startCollectorProcess({ uiDir: resolve(VIEWER, 'dist') });
  dev = await startDevModel({ port: 0, tokenDelayMs: 3 });
  multiBaseMs = Date.now() - 60_000;
  multi = multiServiceTrace(multiBaseMs);
  await postOtlp(collector.httpPort, multi.body);
  await waitForTrace(collector.baseUrl, multi.traceId, 8);
  const child = startNode(FIXTURE, {
    AUTOBOT_JAEGER_ENDPOINT: `http://127.0.0.1:${collector.httpPort}/v1/traces`,
    DEV_MODEL_URL: dev.url,
    CONVERSATION_ID: 'conv-e2e',
    SERVICE_NAME: 'autobot-ai-stack',
  });
  const done = await child.waitFor((l) => l.event === 'done', 30_000);
  llmTraceId = String(done.traceId);
  await waitForTrace(collector.baseUrl, llmTraceId, 3);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dev?.close();
  await collector?.stop();
});

describe('LLM economics end to end', () => {
  it('stores Ollama timings, OpenAI cached/reasoning tokens and cost on the llm.inference spans', async () => {
    const body = (await (await fetch(`${collector.baseUrl}/api/traces/${llmTraceId}`)).json()) as {
      data: { spans: { operationName: string; tags: Tag[] }[] }[];
    };
    const llm = (body.data[0]?.spans ?? []).filter((s) => s.operationName === 'llm.inference').map(tagsOf);
    const ollama = llm.find((t) => t['llm.provider'] === 'ollama');
    const openai = llm.find((t) => t['llm.provider'] === 'openai');
    expect(ollama).toBeDefined();
    expect(openai).toBeDefined();
    for (const key of [
      'llm.load_duration_ms',
      'llm.prompt_eval_duration_ms',
      'llm.eval_duration_ms',
      'llm.total_duration_ms',
    ]) {
      expect(typeof ollama?.[key], key).toBe('number');
    }
    expect(ollama?.['llm.decode_tokens_per_second']).toBeGreaterThan(0);
    expect(ollama?.['llm.cost_usd']).toBe(0);
    expect(openai?.['gen_ai.usage.cache_read.input_tokens']).toBeGreaterThan(0);
    expect(openai?.['gen_ai.usage.reasoning.output_tokens']).toBe(16);
    expect(openai?.['llm.cost_usd']).toBeGreaterThan(0);
    expect(typeof openai?.['llm.time_to_first_chunk_ms']).toBe('number');
  });

  it('aggregates them per model and per conversation', async () => {
    const models = (await (await fetch(`${collector.baseUrl}/api/llm/models`)).json()) as {
      models: {
        provider: string;
        model: string;
        calls: number;
        costUsd: number;
        decodeTokensPerSec: number | null;
        ttftP50Ms: number | null;
      }[];
    };
    const byName = new Map(models.models.map((m) => [`${m.provider}/${m.model}`, m]));
    expect(byName.get('ollama/dev-model:latest')?.decodeTokensPerSec).toBeGreaterThan(0);
    expect(byName.get('openai/o3-mini')?.costUsd).toBeGreaterThan(0);
    expect(byName.get('openai/o3-mini')?.ttftP50Ms).toBeGreaterThan(0);
    const conv = (await (await fetch(`${collector.baseUrl}/api/llm/conversations`)).json()) as {
      conversations: { conversationId: string; traces: number; calls: number }[];
    };
    expect(conv.conversations).toContainEqual(
      expect.objectContaining({ conversationId: 'conv-e2e', traces: 1, calls: 2 }),
    );
  });
});

describe('Monitor and LLM pages in Chromium', () => {
  it('Monitor lists services with RED figures, drills down to operations and links a failed bucket to its traces', async () => {
    await page.goto(`${collector.baseUrl}/monitor?kind=all`);
    const row = page.locator('table.services tbody tr', { hasText: 'autobot-backend' });
    await row.waitFor();
    const services = await page.locator('table.services tbody th').allTextContents();
    expect(services).toEqual(
      expect.arrayContaining(['autobot-ai-stack', 'autobot-backend', 'autobot-frontend']),
    );
    await shot('monitor');
    await row.locator('th a').click();
    await page.locator('table.operations tbody tr').first().waitFor();
    expect(await page.locator('h1').textContent()).toBe('autobot-backend');
    await shot('monitor-service');
    // autobot-backend has the failed span (ssh.distribute_certificates) in the multi-service fixture.
    await page.goto(`${collector.baseUrl}/monitor?kind=all&service=autobot-backend`);
    const failed = page.locator('table.operations a', { hasText: 'failed' }).first();
    await failed.waitFor();
    await failed.click();
    await page.waitForURL(/\/search\?/);
    expect(new URL(page.url()).searchParams.get('q')).toBe(
      'service = "autobot-backend" and name = "ssh.distribute_certificates" and kind = internal and status = error',
    );
    await page.locator('.results li.result').first().waitFor();
  });

  it('a linked custom range is searched to the microsecond, as a Monitor bucket ending at "now" needs', async () => {
    const sshStartUs = (multiBaseMs + 6950) * 1000; // ssh.distribute_certificates in the fixture
    const q = encodeURIComponent('name = ssh.distribute_certificates');
    const open = async (startUs: number, endUs: number) => {
      await page.goto(
        `${collector.baseUrl}/search?live=off&q=${q}&lookback=custom&start=${startUs}&end=${endUs}`,
      );
      await searchAnswered(page);
      return { status: await page.locator('.result-status').textContent(), ids: await resultTraceIds(page) };
    };
    // A 1 ms window around the span's start: inputs rounded to the minute or second would lose it.
    expect(await open(sshStartUs - 500, sshStartUs + 500)).toEqual({
      status: expect.stringMatching(/^1 trace/),
      ids: [multi.traceId],
    });
    expect(new URL(page.url()).searchParams.get('end')).toBe(String(sshStartUs + 500));
    expect((await open(sshStartUs + 1, sshStartUs + 1000)).ids).toEqual([]);
  });

  it('LLM shows the models, the slowest and most expensive calls and the conversation', async () => {
    await page.goto(`${collector.baseUrl}/llm`);
    await page.locator('table.models tbody tr').first().waitFor();
    const models = await page.locator('table.models tbody th').allTextContents();
    expect(models).toEqual(expect.arrayContaining(['ollama / dev-model:latest', 'openai / o3-mini']));
    expect(await page.locator('table.conversations tbody th').allTextContents()).toContain('conv-e2e');
    const status = (await page.locator('.result-status').textContent()) ?? '';
    expect(status).toMatch(/models · \d+ ms/);
    await shot('llm');
    await page.locator('table.conversations a', { hasText: 'conv-e2e' }).click();
    await page.locator('table.conversations tbody tr').first().waitFor();
    expect(await page.locator('table.conversations tbody th a').first().getAttribute('href')).toBe(
      `/trace/${llmTraceId}`,
    );
    expect(pageErrors).toEqual([]);
  });

  it('the span details show where an Ollama call’s time went, phase by phase', async () => {
    const body = (await (await fetch(`${collector.baseUrl}/api/traces/${llmTraceId}`)).json()) as {
      data: { spans: { spanID: string; operationName: string; tags: Tag[] }[] }[];
    };
    const ollama = (body.data[0]?.spans ?? []).find(
      (s) => s.operationName === 'llm.inference' && tagsOf(s)['llm.provider'] === 'ollama',
    );
    await page.goto(`${collector.baseUrl}/trace/${llmTraceId}?span=${ollama?.spanID}`);
    const legend = page.locator('.llm-phases .phase-legend li');
    await legend.first().waitFor();
    expect(await legend.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.phase))).toEqual([
      'overhead',
      'load',
      'prefill',
      'decode',
    ]);
    expect(await page.locator('.llm-phases li[data-phase="decode"]').textContent()).toMatch(/tokens\/s/);
    expect(await page.locator('.llm-phases .phase-extras').textContent()).toContain('cost $0');
    // The two calls are the request's critical path: the summary names a phase of one of them.
    const summary = page.locator('.critical-summary');
    expect(await summary.textContent()).toMatch(
      /^Critical path: \d+% in (queue\/network|model load|prefill|decode|time to first chunk|streaming) of llm\.inference \((dev-model:latest|o3-mini), autobot-ai-stack\)/,
    );
    expect(await summary.getAttribute('data-phase')).not.toBe('');
    await shot('llm-span');
  });
});
