import { randomBytes } from 'node:crypto';
import { chat, getTrace, type RunningStack, services, startStack, waitForTrace } from '@autobot/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const traceparent = (sampled: boolean) => {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, header: `00-${traceId}-${randomBytes(8).toString('hex')}-0${sampled ? 1 : 0}` };
};

// Every service at AUTOBOT_TRACE_SAMPLE_RATE=0: roots are never sampled, children follow the
// caller's decision (ParentBased), so the browser's choice decides for the whole stack.
describe('sampling across the stack at AUTOBOT_TRACE_SAMPLE_RATE=0', () => {
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack({ AUTOBOT_TRACE_SAMPLE_RATE: '0' });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  it('a request without a parent is not recorded', async () => {
    const answer = await chat(stack.state.urls.backend, 'no parent at all');
    expect(answer.status).toBe(200);
    expect(answer.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(answer.lines.at(-1)?.type).toBe('done');
    const sampled = traceparent(true);
    await chat(stack.state.urls.backend, 'a sampled one, to know the exporters flushed', {
      traceparent: sampled.header,
    });
    await waitForTrace(stack.state.urls.viewer, sampled.traceId, (t) => services(t).has('autobot-ai-stack'));
    expect(await getTrace(stack.state.urls.viewer, answer.traceId as string)).toBeUndefined();
  }, 30_000);

  it('a sampled browser parent is recorded across every service; an unsampled one nowhere', async () => {
    const unsampled = traceparent(false);
    const off = await chat(
      stack.state.urls.backend,
      `unsampled ${stack.state.urls.frontend}/demo/page.html`,
      {
        traceparent: unsampled.header,
      },
    );
    expect(off.status).toBe(200);
    expect(off.traceId).toBe(unsampled.traceId);

    const sampled = traceparent(true);
    const on = await chat(stack.state.urls.backend, `sampled ${stack.state.urls.frontend}/demo/page.html`, {
      traceparent: sampled.header,
    });
    expect(on.status).toBe(200);
    const expected = ['autobot-backend', 'autobot-npu-worker', 'autobot-ai-stack', 'autobot-browser'];
    const trace = await waitForTrace(
      stack.state.urls.viewer,
      sampled.traceId,
      (t) =>
        expected.every((s) => services(t).has(s)) && t.spans.some((s) => s.operationName === 'llm.inference'),
    );
    expect([...services(trace)].sort()).toEqual([...expected].sort());
    expect(trace.spans.some((s) => s.operationName.startsWith('redis.'))).toBe(true);
    // Spans of one process leave in order: the sampled trace arrived, so the unsampled one would have.
    expect(await getTrace(stack.state.urls.viewer, unsampled.traceId)).toBeUndefined();
  }, 30_000);
});
