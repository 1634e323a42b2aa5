import type { LlmCell } from './llm-aggregator.js';
import { addLlmTotals, type LlmTotals, noLlmTotals } from './llm-call.js';
import type { RedCell } from './red-aggregator.js';
import { type Sketch, sketchMerge, sketchQuantile } from './sketch.js';

/** At most this many points per sparkline; longer windows group minutes. */
export const MAX_SPARK_POINTS = 60;

/** A time window in whole minutes (inclusive) and the sparkline grouping. */
export interface MinuteWindow {
  fromMinute: number;
  toMinute: number;
  /** Minutes per sparkline point. */
  groupMinutes: number;
  points: number;
}

/** Windows longer than this (minutes) are read from the hourly rollup. */
export const HOURLY_ABOVE_MINUTES = 6 * 60;

/**
 * The minute window ending at `endMs` and reaching back `lookbackMs`. Windows longer than 6 h
 * start at a whole hour and group whole hours (they are answered from the hourly rollup).
 */
export function minuteWindow(
  endMs: number,
  lookbackMs: number,
): MinuteWindow & { resolution: 'minute' | 'hour' } {
  const toMinute = Math.floor(endMs / 60_000);
  let fromMinute = Math.floor((endMs - lookbackMs) / 60_000);
  const hourly = toMinute - fromMinute + 1 > HOURLY_ABOVE_MINUTES;
  if (hourly) fromMinute = Math.floor(fromMinute / 60) * 60;
  const minutes = toMinute - fromMinute + 1;
  let groupMinutes = Math.max(1, Math.ceil(minutes / MAX_SPARK_POINTS));
  if (hourly) groupMinutes = Math.ceil(groupMinutes / 60) * 60;
  return {
    fromMinute,
    toMinute,
    groupMinutes,
    points: Math.ceil(minutes / groupMinutes),
    resolution: hourly ? 'hour' : 'minute',
  };
}

const usToMs = (us: number | null) => (us === null ? null : Math.round(us) / 1000);

/** RED figures of one service or one operation over a window. */
export interface RedSummary {
  service: string;
  operation?: string;
  spanKind?: number;
  calls: number;
  errors: number;
  errorRate: number;
  ratePerSec: number;
  avgMs: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number;
  /** Per sparkline point (see {@link MinuteWindow}): calls, errors, p95 (ms, null when empty). */
  series: { calls: number[]; errors: number[]; p95Ms: (number | null)[] };
}

interface Acc {
  calls: number;
  errors: number;
  sumUs: number;
  maxUs: number;
  sketch: Sketch;
  calls_: number[];
  errors_: number[];
  sketches: Sketch[];
}

/** Groups RED cells by `keyOf` and summarises each group over the window. */
export function summarizeRed(
  cells: readonly RedCell[],
  win: MinuteWindow,
  keyOf: (c: RedCell) => string,
): Map<string, { first: RedCell; summary: Omit<RedSummary, 'service' | 'operation' | 'spanKind'> }> {
  const accs = new Map<string, { first: RedCell; acc: Acc }>();
  for (const c of cells) {
    const key = keyOf(c);
    let e = accs.get(key);
    if (e === undefined) {
      e = {
        first: c,
        acc: {
          calls: 0,
          errors: 0,
          sumUs: 0,
          maxUs: 0,
          sketch: new Map(),
          calls_: new Array(win.points).fill(0),
          errors_: new Array(win.points).fill(0),
          sketches: Array.from({ length: win.points }, () => new Map()),
        },
      };
      accs.set(key, e);
    }
    const a = e.acc;
    a.calls += c.calls;
    a.errors += c.errors;
    a.sumUs += c.sumUs;
    a.maxUs = Math.max(a.maxUs, c.maxUs);
    sketchMerge(a.sketch, c.sketch);
    const p = Math.floor((c.minute - win.fromMinute) / win.groupMinutes);
    if (p >= 0 && p < win.points) {
      (a.calls_[p] as number) += c.calls;
      (a.errors_[p] as number) += c.errors;
      sketchMerge(a.sketches[p] as Sketch, c.sketch);
    }
  }
  const seconds = (win.toMinute - win.fromMinute + 1) * 60;
  const out = new Map<
    string,
    { first: RedCell; summary: Omit<RedSummary, 'service' | 'operation' | 'spanKind'> }
  >();
  for (const [key, { first, acc: a }] of accs) {
    out.set(key, {
      first,
      summary: {
        calls: a.calls,
        errors: a.errors,
        errorRate: a.calls === 0 ? 0 : a.errors / a.calls,
        ratePerSec: a.calls / seconds,
        avgMs: a.calls === 0 ? 0 : a.sumUs / a.calls / 1000,
        p50Ms: usToMs(sketchQuantile(a.sketch, 0.5)),
        p95Ms: usToMs(sketchQuantile(a.sketch, 0.95)),
        p99Ms: usToMs(sketchQuantile(a.sketch, 0.99)),
        maxMs: a.maxUs / 1000,
        series: {
          calls: a.calls_,
          errors: a.errors_,
          p95Ms: a.sketches.map((s) => usToMs(sketchQuantile(s, 0.95))),
        },
      },
    });
  }
  return out;
}

/** LLM figures of one provider × model over a window. */
export interface LlmSummary extends LlmTotals {
  provider: string;
  model: string;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  /** Output tokens per second of server-side decode time (Ollama `eval_duration`); null without it. */
  decodeTokensPerSec: number | null;
  series: { calls: number[]; costUsd: number[] };
}

/** One of the slowest or most expensive LLM calls (`GET /api/llm/calls`). */
export interface LlmCallSummary {
  /** Duration (ms) or cost (USD), by the list asked for. */
  value: number;
  traceId: string;
  spanId: string;
  startUs: number;
  service: string;
  provider: string;
  model: string;
}

/** LLM totals over traces: one trace, or every trace of one conversation. */
export interface LlmTraceTotals {
  firstUs: number;
  lastUs: number;
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  llmMs: number;
}

/** One conversation (`gen_ai.conversation.id`) with its totals (`GET /api/llm/conversations`). */
export interface LlmConversationSummary extends LlmTraceTotals {
  conversationId: string;
  traces: number;
}

/** One trace of a conversation with its totals (`GET /api/llm/conversations/:id`). */
export interface LlmConversationTrace extends LlmTraceTotals {
  traceId: string;
}

/** Summarises LLM cells per provider × model, most calls first. */
export function summarizeLlm(cells: readonly LlmCell[], win: MinuteWindow): LlmSummary[] {
  const by = new Map<string, LlmSummary & { ttft: Sketch; decodeTokens: number; decodeMs: number }>();
  for (const c of cells) {
    const key = `${c.provider}\u0000${c.model}`;
    let s = by.get(key);
    if (s === undefined) {
      s = {
        provider: c.provider,
        model: c.model,
        ...noLlmTotals(),
        ttftP50Ms: null,
        ttftP95Ms: null,
        decodeTokensPerSec: null,
        series: { calls: new Array(win.points).fill(0), costUsd: new Array(win.points).fill(0) },
        ttft: new Map(),
        decodeTokens: 0,
        decodeMs: 0,
      };
      by.set(key, s);
    }
    addLlmTotals(s, c);
    s.decodeTokens += c.decodeTokens;
    s.decodeMs += c.decodeMs;
    sketchMerge(s.ttft, c.ttft);
    const p = Math.floor((c.minute - win.fromMinute) / win.groupMinutes);
    if (p >= 0 && p < win.points) {
      (s.series.calls[p] as number) += c.calls;
      (s.series.costUsd[p] as number) += c.costUsd;
    }
  }
  return [...by.values()]
    .map(({ ttft, decodeTokens, decodeMs, ...s }) => ({
      ...s,
      ttftP50Ms: usToMs(sketchQuantile(ttft, 0.5)),
      ttftP95Ms: usToMs(sketchQuantile(ttft, 0.95)),
      decodeTokensPerSec: decodeMs > 0 ? decodeTokens / (decodeMs / 1000) : null,
    }))
    .sort((a, b) => b.calls - a.calls);
}
