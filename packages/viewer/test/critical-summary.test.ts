import { describe, expect, it } from 'vitest';
import type { JaegerSpan, KeyValue } from '../src/api.js';
import { criticalDominant, criticalPathWithPhases, criticalShares } from '../src/critical-summary.js';
import { llmPhaseTimeline } from '../src/llm.js';
import { buildTraceModel, type TraceModel } from '../src/model.js';

const MS = 1000;

const tags = (o: Record<string, unknown>): KeyValue[] =>
  Object.entries(o).map(([key, value]) => ({
    key,
    type: typeof value === 'number' ? 'float64' : 'string',
    value,
  }));

/** A span; times in ms. The `back` process is autobot-ai-stack, `front` autobot-backend. */
function span(
  id: string,
  name: string,
  parent: string | undefined,
  startMs: number,
  durationMs: number,
  attrs: Record<string, unknown> = {},
  extra: Partial<JaegerSpan> = {},
): JaegerSpan {
  return {
    traceID: 't1',
    spanID: id,
    operationName: name,
    references: parent ? [{ refType: 'CHILD_OF', traceID: 't1', spanID: parent }] : [],
    startTime: startMs * MS,
    duration: durationMs * MS,
    tags: tags(attrs),
    logs: [],
    processID: name === 'llm.inference' ? 'ai' : 'backend',
    ...extra,
  };
}

function model(spans: JaegerSpan[]): TraceModel {
  return buildTraceModel({
    traceID: 't1',
    spans,
    processes: { ai: { serviceName: 'autobot-ai-stack' }, backend: { serviceName: 'autobot-backend' } },
  });
}

/** Ollama timings (ms) as @autobot/llm records them. */
function ollama(o: { wall: number; total: number; load: number; prefill: number; decode: number }) {
  return {
    'llm.model': 'mistral',
    'llm.provider': 'ollama',
    'llm.duration_ms': o.wall,
    'llm.total_duration_ms': o.total,
    'llm.load_duration_ms': o.load,
    'llm.prompt_eval_duration_ms': o.prefill,
    'llm.eval_duration_ms': o.decode,
  };
}

const phasesOf = (m: TraceModel, id: string) =>
  (criticalPathWithPhases(m).get(id) ?? [])
    .map((s) => [s.start / MS, s.end / MS, s.phase])
    .sort((a, b) => Number(a[0]) - Number(b[0]));

describe('critical path attributed to LLM phases', () => {
  it('names prefill when prompt processing dominates', () => {
    const m = model([
      span('root', 'HTTP POST /api/chat', undefined, 0, 1000),
      span(
        'llm',
        'llm.inference',
        'root',
        100,
        900,
        ollama({ wall: 900, total: 880, load: 30, prefill: 650, decode: 200 }),
      ),
    ]);
    expect(phasesOf(m, 'llm')).toEqual([
      [100, 120, 'overhead'],
      [120, 150, 'load'],
      [150, 800, 'prefill'],
      [800, 1000, 'decode'],
    ]);
    const d = criticalDominant(m, criticalPathWithPhases(m));
    expect(d).toMatchObject({ spanID: 'llm', phase: 'prefill', fraction: 0.65, spanFraction: 0.9 });
    expect(d?.text).toBe(
      'Critical path: 65% in prefill of llm.inference (mistral, autobot-ai-stack) — the whole call 90%',
    );
  });

  it('names decode when generation dominates, splitting queue/network around the server work at the first chunk', () => {
    const m = model([
      span('root', 'HTTP POST /api/chat', undefined, 0, 1000),
      span('llm', 'llm.inference', 'root', 0, 1000, {
        ...ollama({ wall: 1000, total: 900, load: 0, prefill: 100, decode: 800 }),
        'llm.time_to_first_chunk_ms': 150,
      }),
    ]);
    // 50 ms queue before the server starts (first chunk at 150 = 50 + load 0 + prefill 100), 50 ms after decode.
    expect(phasesOf(m, 'llm')).toEqual([
      [0, 50, 'overhead'],
      [50, 150, 'prefill'],
      [150, 950, 'decode'],
      [950, 1000, 'overhead'],
    ]);
    const d = criticalDominant(m, criticalPathWithPhases(m));
    expect(d?.text).toBe(
      'Critical path: 80% in decode of llm.inference (mistral, autobot-ai-stack) — the whole call 100%',
    );
    const shares = criticalShares(criticalPathWithPhases(m));
    expect(shares.totalUs).toBe(1000 * MS);
    expect(shares.spans[0]?.phases.map((p) => [p.phase, p.durationUs / MS])).toEqual([
      ['decode', 800],
      ['overhead', 100], // ties in phase-name order
      ['prefill', 100],
    ]);
  });

  it('names streaming vs time to first chunk for an OpenAI-compatible stream', () => {
    const m = model([
      span('root', 'HTTP POST /api/chat', undefined, 0, 1000),
      span('llm', 'llm.inference', 'root', 0, 1000, {
        'gen_ai.request.model': 'gpt-4o-mini',
        'llm.duration_ms': 1000,
        'llm.time_to_first_chunk_ms': 700,
      }),
    ]);
    expect(criticalDominant(m, criticalPathWithPhases(m))?.text).toBe(
      'Critical path: 70% in time to first chunk of llm.inference (gpt-4o-mini, autobot-ai-stack) — the whole call 100%',
    );
  });

  it('names the non-LLM span when it dominates', () => {
    const m = model([
      span('root', 'HTTP POST /api/chat', undefined, 0, 1000),
      span('db', 'redis.get', 'root', 0, 700),
      span(
        'llm',
        'llm.inference',
        'root',
        700,
        300,
        ollama({ wall: 300, total: 300, load: 0, prefill: 100, decode: 200 }),
      ),
    ]);
    const d = criticalDominant(m, criticalPathWithPhases(m));
    expect(d).toMatchObject({ spanID: 'db', fraction: 0.7, spanFraction: 0.7 });
    expect(d?.phase).toBeUndefined();
    expect(d?.text).toBe('Critical path: 70% in redis.get (autobot-backend)');
  });

  it('clips the phases to the stretches of a call that are on the critical path', () => {
    // The call's HTTP child covers 50–400 ms of it, so only 0–50 and 400–1000 are the call's own.
    const m = model([
      span(
        'llm',
        'llm.inference',
        undefined,
        0,
        1000,
        ollama({ wall: 1000, total: 900, load: 200, prefill: 300, decode: 400 }),
      ),
      span('http', 'HTTP POST', 'llm', 50, 350),
    ]);
    // Timeline: overhead 0–100, load 100–300, prefill 300–600, decode 600–1000.
    expect(phasesOf(m, 'llm')).toEqual([
      [0, 50, 'overhead'],
      [400, 600, 'prefill'],
      [600, 1000, 'decode'],
    ]);
    const shares = criticalShares(criticalPathWithPhases(m));
    expect(shares.spans.map((s) => [s.spanID, s.durationUs / MS])).toEqual([
      ['llm', 650],
      ['http', 350],
    ]);
    expect(criticalDominant(m, criticalPathWithPhases(m))).toMatchObject({
      spanID: 'llm',
      phase: 'decode',
      fraction: 0.4,
    });
  });

  it('falls back to the call as a whole when timings are missing, partial or negative', () => {
    for (const attrs of [
      { 'llm.model': 'mistral' },
      { 'llm.model': 'mistral', 'llm.load_duration_ms': 10, 'llm.eval_duration_ms': 500 },
      { ...ollama({ wall: 900, total: 900, load: -5, prefill: 100, decode: 800 }) },
      { ...ollama({ wall: 900, total: 900, load: 0, prefill: 0, decode: 0 }) },
      { 'llm.model': 'mistral', 'llm.total_duration_ms': 'n/a', 'llm.time_to_first_chunk_ms': 'soon' },
    ]) {
      const m = model([
        span('root', 'HTTP POST /api/chat', undefined, 0, 1000),
        span('llm', 'llm.inference', 'root', 100, 900, attrs),
      ]);
      expect(phasesOf(m, 'llm')).toEqual([[100, 1000, undefined]]);
      expect(criticalDominant(m, criticalPathWithPhases(m))?.text).toBe(
        'Critical path: 90% in llm.inference (mistral, autobot-ai-stack)',
      );
    }
  });

  it('scales timings that do not add up to the span, and ignores a zero-length span', () => {
    // Server reports 2 s of work in a 1 s span: the phases are scaled to fill the span.
    expect(
      llmPhaseTimeline(
        tags(ollama({ wall: 1000, total: 2000, load: 0, prefill: 500, decode: 1500 })),
        [],
        0,
        1000 * MS,
      ).map((p) => [p.key, p.start / MS, p.end / MS]),
    ).toEqual([
      ['prefill', 0, 250],
      ['decode', 250, 1000],
    ]);
    expect(
      llmPhaseTimeline(tags(ollama({ wall: 1, total: 1, load: 0, prefill: 1, decode: 0 })), [], 0, 0),
    ).toEqual([]);
  });

  it('copes with a clock-skewed LLM call that starts before its parent', () => {
    const m = model([
      span('root', 'HTTP POST /api/chat', undefined, 1000, 1000),
      span(
        'llm',
        'llm.inference',
        'root',
        900,
        900,
        ollama({ wall: 900, total: 900, load: 0, prefill: 300, decode: 600 }),
      ),
    ]);
    const critical = criticalPathWithPhases(m);
    const shares = criticalShares(critical);
    expect(shares.spans.reduce((a, s) => a + s.fraction, 0)).toBeCloseTo(1, 9);
    for (const s of critical.get('llm') ?? []) {
      expect(s.start).toBeGreaterThanOrEqual(900 * MS);
      expect(s.end).toBeLessThanOrEqual(1800 * MS);
    }
    expect(criticalDominant(m, critical)).toMatchObject({ spanID: 'llm', phase: 'decode' });
    expect(criticalDominant(m, critical)?.text).toMatch(
      /^Critical path: \d+% in decode of llm\.inference \(mistral/,
    );
  });

  it('has nothing to say about an empty trace', () => {
    const m = model([]);
    expect(criticalDominant(m, criticalPathWithPhases(m))).toBeUndefined();
  });
});
