import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { JaegerTrace } from '@autobot/collector';
import {
  chat,
  launchChromium,
  parentOf,
  ROOT,
  type RunningStack,
  serviceOf,
  services,
  startStack,
  tag,
  waitForTrace,
} from '@autobot/test-kit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ALL = [
  'autobot-frontend',
  'autobot-backend',
  'autobot-ai-stack',
  'autobot-npu-worker',
  'autobot-browser',
];

// One stack for the whole file (started by the real launcher on free ports); the downstream-down
// test runs last because it stops the NPU worker.
describe('the reference stack, end to end', () => {
  let stack: RunningStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    const code = await stack?.stop();
    expect(code).toBe(0);
  }, 30_000);

  it('npm start reached ready with Redis and Chromium, and wrote its progress', () => {
    expect(stack.state.redis).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.state.browserEngine).toBe('chromium');
    expect(stack.events.filter((e) => e.event === 'progress').length).toBeGreaterThan(5);
    expect(Object.keys(stack.state.pids).sort()).toEqual([
      'ai-stack',
      'backend',
      'browser',
      'collector',
      'dev-model',
      'frontend',
      'npu-worker',
      'redis',
    ]);
  });

  it('one message in a real Chromium is one trace across all five services and Redis', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(stack.state.urls.frontend);
      await page.waitForSelector('body[data-ready="true"]');
      await page.fill('#message', `What is on ${stack.state.urls.frontend}/demo/page.html ?`);
      await page.click('#send');
      await page.waitForSelector('.turn[data-finished="true"]', { timeout: 30_000 });
      expect(await page.getAttribute('.turn', 'data-error')).toBeNull();
      const answer = await page.textContent('.turn .answer');
      expect(answer?.length).toBeGreaterThan(20);
      const link = await page.getAttribute('.trace-link', 'href');
      const traceId = await page.getAttribute('.trace-link', 'data-trace-id');
      expect(link).toBe(`${stack.state.urls.viewer}/trace/${traceId}`);
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);

      // Complete = every service reported, the answer was saved (second EXPIRE), no span waits for its parent.
      const complete = (t: JaegerTrace) => {
        const ids = new Set(t.spans.map((s) => s.spanID));
        return (
          ALL.every((s) => services(t).has(s)) &&
          t.spans.filter((s) => s.operationName === 'redis.expire').length >= 2 &&
          t.spans.every((s) => !parentOf(s) || ids.has(parentOf(s) as string))
        );
      };
      const trace = await waitForTrace(stack.state.urls.viewer, traceId as string, complete);
      expect(trace).toBeDefined();
      expect([...services(trace)].sort()).toEqual([...ALL].sort());

      // Redis spans from the backend, and every span's parent is in the trace except the root's.
      const redisSpans = trace.spans.filter((s) => s.operationName.startsWith('redis.'));
      expect(redisSpans.length).toBeGreaterThanOrEqual(4);
      expect(redisSpans.every((s) => serviceOf(trace, s) === 'autobot-backend')).toBe(true);
      const ids = new Set(trace.spans.map((s) => s.spanID));
      const roots = trace.spans.filter((s) => !parentOf(s));
      expect(roots).toHaveLength(1);
      expect(serviceOf(trace, roots[0] as (typeof roots)[0])).toBe('autobot-frontend');
      const orphans = trace.spans.filter((s) => parentOf(s) && !ids.has(parentOf(s) as string));
      expect(orphans.map((s) => s.operationName)).toEqual([]);
      // The collector stores only ended spans; every one has a real duration.
      expect(trace.spans.every((s) => s.duration >= 0)).toBe(true);

      // The browser's fetch span is an ancestor of the backend's server span.
      const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
      const server = trace.spans.find((s) => s.operationName === 'HTTP POST /api/chat');
      expect(server && serviceOf(trace, server)).toBe('autobot-backend');
      const ancestors: string[] = [];
      for (let p = server && parentOf(server); p; p = parentOf(byId.get(p) as (typeof trace.spans)[0])) {
        const span = byId.get(p);
        if (!span) break;
        ancestors.push(`${serviceOf(trace, span)}:${tag(span, 'span.kind') ?? ''}:${span.operationName}`);
      }
      expect(ancestors.some((a) => a.startsWith('autobot-frontend:client:'))).toBe(true);

      // The LLM call, with token counts; the NPU and browser spans with their attributes.
      const llm = trace.spans.find((s) => s.operationName === 'llm.inference');
      expect(llm && serviceOf(trace, llm)).toBe('autobot-ai-stack');
      expect(tag(llm as (typeof trace.spans)[0], 'llm.prompt_tokens')).toBeGreaterThan(0);
      expect(tag(llm as (typeof trace.spans)[0], 'llm.completion_tokens')).toBeGreaterThan(0);
      const npu = trace.spans.find((s) => s.operationName === 'npu.inference');
      expect(npu && tag(npu, 'npu.vector_dimensions')).toBe(384);
      const navigate = trace.spans.find((s) => s.operationName === 'browser.navigate');
      expect(navigate && tag(navigate, 'browser.engine')).toBe('chromium');
    } finally {
      await page.close();
    }
  }, 60_000);

  it('npm run demo prints the trace tree of one scripted request', async () => {
    const demo = spawn(process.execPath, [join(ROOT, 'scripts/demo.mjs')], {
      cwd: ROOT,
      env: { ...process.env, ...stack.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    demo.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    demo.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const code = await new Promise((resolve) => demo.once('exit', resolve));
    expect(out).not.toContain('no running stack found');
    expect(code, out).toBe(0);
    expect(out).toMatch(/^trace [0-9a-f]{32}: \d+ span\(s\), 4 service\(s\), 0 error\(s\)$/m);
    expect(out).toMatch(/^HTTP POST \/api\/chat \[autobot-backend\]/m);
    for (const line of [
      'npu.inference [autobot-npu-worker]',
      'browser.navigate [autobot-browser]',
      'llm.inference [autobot-ai-stack]',
      'redis.rpush [autobot-backend]',
    ]) {
      expect(out).toContain(line);
    }
  }, 60_000);

  it('a scripted load of chats shows in the Monitor and LLM figures, matching the stored spans', async () => {
    const backend = stack.state.urls.backend;
    const viewer = stack.state.urls.viewer;
    const conversations: { id: string; traceId: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await chat(backend, `Scripted load message ${i}`);
      expect(answer.status).toBe(200);
      const meta = answer.lines.find((l) => l.type === 'meta') as { conversationId: string; traceId: string };
      conversations.push({ id: meta.conversationId, traceId: meta.traceId });
    }
    for (const c of conversations) await waitForTrace(viewer, c.traceId, 5);
    // Each conversation's trace is totalled with its LLM calls. The id sits on the backend's
    // server span, which ends (and is exported) after the answer has streamed: poll.
    for (const c of conversations) {
      const traces = async () =>
        (
          (await (await fetch(`${viewer}/api/llm/conversations/${c.id}`)).json()) as {
            traces: { traceId: string; calls: number }[];
          }
        ).traces;
      await expect
        .poll(traces, { timeout: 15_000 })
        .toEqual([expect.objectContaining({ traceId: c.traceId })]);
      expect((await traces())[0]?.calls).toBeGreaterThanOrEqual(1);
    }
    // Every /api/chat server span the store holds (all five are in: their conversations are),
    // counted from the spans themselves.
    const search = (await (
      await fetch(
        `${viewer}/api/traces?${new URLSearchParams({ service: 'autobot-backend', operation: 'HTTP POST /api/chat', limit: '1000', lookback: '1h' })}`,
      )
    ).json()) as { data: JaegerTrace[] };
    const stored = search.data.flatMap((t) =>
      t.spans.filter(
        (s) => s.operationName === 'HTTP POST /api/chat' && serviceOf(t, s) === 'autobot-backend',
      ),
    );
    const storedErrors = stored.filter((s) => tag(s, 'error') === true).length;
    const ops = (await (
      await fetch(`${viewer}/api/monitor/operations?service=autobot-backend&spanKind=server&lookback=3600000`)
    ).json()) as { operations: { operation: string; calls: number; errors: number }[] };
    const chatOp = ops.operations.find((o) => o.operation === 'HTTP POST /api/chat');
    expect(chatOp?.calls).toBe(stored.length);
    expect(chatOp?.errors).toBe(storedErrors);
    expect(stored.length).toBeGreaterThanOrEqual(5);
    const metrics = await (await fetch(`${viewer}/metrics`)).text();
    expect(metrics).toMatch(
      /traces_span_metrics_calls_total\{service_name="autobot-backend",span_name="HTTP POST \/api\/chat",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_\w+"\} \d+/,
    );
  }, 60_000);

  it('with the NPU worker down, the backend answers a clear error and the trace shows where', async () => {
    process.kill(stack.state.pids['npu-worker'] as number, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await expect
      .poll(() => stack.events.some((e) => e.event === 'exited' && e.name === 'npu-worker'), {
        timeout: 10_000,
      })
      .toBe(true);
    const answer = await chat(stack.state.urls.backend, 'Hello while the NPU is down');
    expect(answer.status).toBe(502);
    const body = answer.body as {
      error: { code: string; service: string; message: string };
      traceId: string;
    };
    expect(body.error.code).toBe('AUTOBOT_ERR_BACKEND_DOWNSTREAM_UNAVAILABLE');
    expect(body.error.service).toBe('npu-worker');
    expect(body.error.message).toMatch(
      /npu-worker is unavailable at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/,
    );
    expect(body.traceId).toBe(answer.traceId);

    const trace = await waitForTrace(stack.state.urls.viewer, body.traceId, 3);
    const server = trace.spans.find((s) => s.operationName === 'HTTP POST /api/chat');
    expect(server && tag(server, 'error')).toBe(true);
    expect(server && tag(server, 'http.status_code')).toBe(502);
    // The failed call: a backend client span to the NPU worker's port, marked as a connection error.
    const npuPort = new URL(stack.state.urls.npuWorker).port;
    const failed = trace.spans.find(
      (s) => s.operationName === 'HTTP POST' && String(tag(s, 'http.url')).includes(`:${npuPort}/api/embed`),
    );
    expect(failed).toBeDefined();
    expect(tag(failed as (typeof trace.spans)[0], 'error')).toBe(true);
    expect(tag(failed as (typeof trace.spans)[0], 'error.type')).toBe('HttpConnectionError');
    expect(services(trace).has('autobot-npu-worker')).toBe(false);
  }, 30_000);
});
