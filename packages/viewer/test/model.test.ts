import { describe, expect, it } from 'vitest';
import type { JaegerSpan, JaegerTrace } from '../src/api.js';
import { groupTags } from '../src/components/span-details.js';
import { isSafeUrl } from '../src/dom.js';
import { chatMessages, llmInfo } from '../src/llm.js';
import { buildTraceModel, criticalPath, visibleSpans } from '../src/model.js';
import { composeQuery } from '../src/query.js';

function span(
  id: string,
  parent: string | undefined,
  start: number,
  duration: number,
  extra: Partial<JaegerSpan> = {},
): JaegerSpan {
  return {
    traceID: 't1',
    spanID: id,
    operationName: `op-${id}`,
    references: parent ? [{ refType: 'CHILD_OF', traceID: 't1', spanID: parent }] : [],
    startTime: start,
    duration,
    tags: [],
    logs: [],
    processID: id === 'a' ? 'p1' : 'p2',
    ...extra,
  };
}

function trace(spans: JaegerSpan[]): JaegerTrace {
  return { traceID: 't1', spans, processes: { p1: { serviceName: 'front' }, p2: { serviceName: 'back' } } };
}

/** The trace model of these spans (one trace, services `front` and `back`). */
const modelOf = (...spans: JaegerSpan[]) => buildTraceModel(trace(spans));

/** The critical-path sections of one span as [start, end] pairs, in time order. */
function sectionsOf(cp: ReturnType<typeof criticalPath>, id: string): number[][] {
  return (cp.get(id) ?? []).map((s) => [s.start, s.end]).sort((x, y) => (x[0] ?? 0) - (y[0] ?? 0));
}

describe('buildTraceModel', () => {
  it('links children, computes depth, services and errors', () => {
    const m = modelOf(
      span('a', undefined, 0, 100),
      span('b', 'a', 10, 50),
      span('c', 'b', 20, 10, { tags: [{ key: 'otel.status_code', type: 'string', value: 'ERROR' }] }),
      span('orphan', 'missing', 5, 5),
    );
    expect(m.roots.map((r) => r.spanID)).toEqual(['a', 'orphan']);
    expect(m.byId.get('c')?.depth).toBe(2);
    expect(m.depth).toBe(3);
    expect(m.services).toEqual(['back', 'front']);
    expect(m.errorCount).toBe(1);
    expect(m.duration).toBe(100);
  });

  it('hides descendants of collapsed spans', () => {
    const m = modelOf(
      span('a', undefined, 0, 100),
      span('b', 'a', 10, 50),
      span('c', 'b', 20, 10),
      span('d', 'a', 70, 10),
    );
    expect(visibleSpans(m, new Set()).map((s) => s.spanID)).toEqual(['a', 'b', 'c', 'd']);
    expect(visibleSpans(m, new Set(['b'])).map((s) => s.spanID)).toEqual(['a', 'b', 'd']);
    expect(visibleSpans(m, new Set(['a'])).map((s) => s.spanID)).toEqual(['a']);
  });

  it('handles a 10,000-deep chain without recursion', () => {
    const spans = [span('s0', undefined, 0, 20_000)];
    for (let i = 1; i < 10_000; i++) spans.push(span(`s${i}`, `s${i - 1}`, i, 20_000 - 2 * i));
    const m = modelOf(...spans);
    expect(m.depth).toBe(10_000);
    expect(visibleSpans(m, new Set())).toHaveLength(10_000);
    expect(criticalPath(m).size).toBe(10_000);
  });
});

describe('criticalPath', () => {
  it('follows the last-finishing child and gives gaps to the parent', () => {
    // a: 0-100; b: 10-40; c: 50-90 (c finishes last); d inside c: 60-80
    const m = modelOf(
      span('a', undefined, 0, 100),
      span('b', 'a', 10, 30),
      span('c', 'a', 50, 40),
      span('d', 'c', 60, 20),
    );
    const cp = criticalPath(m);
    const sections = (id: string) => sectionsOf(cp, id);
    expect(sections('a')).toEqual([
      [0, 10],
      [40, 50],
      [90, 100],
    ]);
    expect(sections('c')).toEqual([
      [50, 60],
      [80, 90],
    ]);
    expect(sections('d')).toEqual([[60, 80]]);
    expect(sections('b')).toEqual([[10, 40]]);
  });

  it('passes through back-to-back children', () => {
    const m = modelOf(
      span('a', undefined, 0, 30),
      span('b', 'a', 0, 10),
      span('c', 'a', 10, 10),
      span('d', 'a', 20, 10),
    );
    const cp = criticalPath(m);
    expect(cp.has('a')).toBe(false);
    expect([...cp.keys()].sort()).toEqual(['b', 'c', 'd']);
  });

  it('follows children that outlive their parent (a browser submit span and its fetch)', () => {
    // submit: 0-3 ms; fetch (child): 1-600 ms; backend (grandchild): 50-590 ms
    const m = modelOf(
      span('submit', undefined, 0, 3_000),
      span('fetch', 'submit', 1_000, 599_000),
      span('backend', 'fetch', 50_000, 540_000),
    );
    const cp = criticalPath(m);
    const covered = [...cp.values()].flat().reduce((sum, s) => sum + (s.end - s.start), 0);
    expect(covered).toBe(600_000);
    expect(cp.get('submit')).toEqual([{ spanID: 'submit', start: 0, end: 1_000 }]);
    expect(cp.get('backend')).toEqual([{ spanID: 'backend', start: 50_000, end: 590_000 }]);
    expect(sectionsOf(cp, 'fetch')).toEqual([
      [1_000, 50_000],
      [590_000, 600_000],
    ]);
  });

  it('picks the child whose subtree ends last, not the one that ends last itself', () => {
    // a: 0-100; b: 10-60 with b1: 20-100 (outlives b); c: 50-80
    const m = modelOf(
      span('a', undefined, 0, 100),
      span('b', 'a', 10, 50),
      span('b1', 'b', 20, 80),
      span('c', 'a', 50, 30),
    );
    const cp = criticalPath(m);
    expect(cp.has('c')).toBe(false);
    expect(cp.get('b1')).toEqual([{ spanID: 'b1', start: 20, end: 100 }]);
    expect(cp.get('b')).toEqual([{ spanID: 'b', start: 10, end: 20 }]);
    expect(cp.get('a')).toEqual([{ spanID: 'a', start: 0, end: 10 }]);
  });
});

describe('llmInfo', () => {
  it('reads tokens, model and first chunk from attributes or the event', () => {
    const tags = [
      { key: 'llm.model', type: 'string', value: 'm1' },
      { key: 'gen_ai.usage.input_tokens', type: 'int64', value: 10 },
      { key: 'gen_ai.usage.output_tokens', type: 'int64', value: 5 },
    ];
    const fromEvent = llmInfo(
      tags,
      [{ timestamp: 1_500, fields: [{ key: 'event', value: 'llm.first_chunk' }] }],
      1_000,
    );
    expect(fromEvent).toMatchObject({
      model: 'm1',
      tokensIn: 10,
      tokensOut: 5,
      totalTokens: 15,
      firstChunkOffsetUs: 500,
    });
    const fromAttr = llmInfo(
      [...tags, { key: 'llm.time_to_first_chunk_ms', type: 'float64', value: 2.5 }],
      [],
      0,
    );
    expect(fromAttr.firstChunkOffsetUs).toBe(2_500);
  });

  it('normalises GenAI message shapes to role + text', () => {
    expect(chatMessages([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }])).toEqual([
      { role: 'user', text: 'hi' },
    ]);
    expect(chatMessages([{ role: 'assistant', content: 'yo' }])).toEqual([{ role: 'assistant', text: 'yo' }]);
    expect(chatMessages(undefined)).toEqual([]);
  });
});

describe('composeQuery', () => {
  it('puts the user text first so error columns map back', () => {
    expect(composeQuery({ service: '', operation: '', query: 'llm.duration_ms > 5000' })).toEqual({
      q: 'llm.duration_ms > 5000',
      userOffset: 0,
    });
    const c = composeQuery({ service: 'a"b', operation: 'op', query: 'x = 1', minDurationUs: 1_500_000 });
    expect(c).toEqual({
      q: '(x = 1) and service = "a\\"b" and name = "op" and duration >= 1500ms',
      userOffset: 1,
    });
  });

  it('groups attributes by domain', () => {
    const keys = [
      'http.method',
      'url.full',
      'llm.model',
      'gen_ai.request.model',
      'ssh.target_vm',
      'pki.subject',
      'foo',
      'otel.status_code',
    ];
    const groups = groupTags(keys.map((key) => ({ key, value: 'v' })));
    expect(Object.fromEntries(groups.map((g) => [g.id, g.tags.map((t) => t.key)]))).toEqual({
      http: ['http.method', 'url.full'],
      llm: ['gen_ai.request.model', 'llm.model'],
      ssh: ['ssh.target_vm'],
      pki: ['pki.subject'],
      other: ['foo'],
    });
  });
});

describe('isSafeUrl', () => {
  it('accepts same-origin paths and http(s), rejects script and data URLs', () => {
    expect(isSafeUrl('/trace/abc?span=1')).toBe(true);
    expect(isSafeUrl('https://example.com/x')).toBe(true);
    expect(isSafeUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeUrl('  JaVaScRiPt:alert(1)')).toBe(false);
    expect(isSafeUrl('data:text/html,<script>alert(1)</script>')).toBe(false);
    expect(isSafeUrl('//evil.example/x')).toBe(true); // protocol-relative http(s): allowed for hrefs, never script
  });
});
