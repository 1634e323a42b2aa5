import type Database from 'better-sqlite3';
import type { SpanInput } from '../model.js';
import { addLlmTotals, LLM_ATTRS, type LlmCall, type LlmTotals, llmCallOf, noLlmTotals } from './llm-call.js';
import { MINUTE_US } from './red-aggregator.js';
import { type Sketch, sketchAdd, sketchFromJson, sketchIndex, sketchMerge, sketchToJson } from './sketch.js';
import type { LlmCallSummary, LlmConversationSummary, LlmConversationTrace } from './summaries.js';

/** How many slowest / most expensive calls are kept. */
export const LLM_TOP_KEEP = 100;

/** One per-minute cell of provider × model figures. */
export interface LlmCell extends LlmTotals {
  minute: number;
  provider: string;
  model: string;
  ttft: Sketch;
  decodeTokens: number;
  decodeMs: number;
}

interface LlmRow {
  minute: number;
  provider: string;
  model: string;
  calls: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  ttft: string;
  decode_tokens: number;
  decode_ms: number;
}

/** The totals of a stored `llm_minutes` row. */
function totalsOfRow(r: LlmRow): LlmTotals {
  return {
    calls: r.calls,
    errors: r.errors,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cachedTokens: r.cached_tokens,
    reasoningTokens: r.reasoning_tokens,
    costUsd: r.cost_usd,
  };
}

/** Creates the LLM tables. */
export function createLlmSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS llm_minutes (
      minute INTEGER NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, calls INTEGER NOT NULL,
      errors INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
      cached_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL,
      ttft TEXT NOT NULL, decode_tokens INTEGER NOT NULL, decode_ms REAL NOT NULL,
      PRIMARY KEY (minute, provider, model)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS llm_top (
      metric TEXT NOT NULL, value REAL NOT NULL, trace_id TEXT NOT NULL, span_id TEXT NOT NULL,
      start_us INTEGER NOT NULL, service TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS llm_top_metric ON llm_top (metric, value);
    CREATE TABLE IF NOT EXISTS llm_traces (
      trace_id TEXT PRIMARY KEY, first_us INTEGER NOT NULL, last_us INTEGER NOT NULL,
      calls INTEGER NOT NULL, errors INTEGER NOT NULL, input_tokens INTEGER NOT NULL,
      output_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL, llm_ms REAL NOT NULL) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS llm_traces_last ON llm_traces (last_us);
    CREATE TABLE IF NOT EXISTS llm_conversation_traces (
      conversation_id TEXT NOT NULL, trace_id TEXT NOT NULL, first_us INTEGER NOT NULL,
      PRIMARY KEY (conversation_id, trace_id)) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS llm_conversation_traces_first ON llm_conversation_traces (first_us);
  `);
}

interface TopEntry extends LlmCallSummary {
  metric: 'duration_ms' | 'cost_usd';
}

/**
 * LLM economics per minute × provider × model (calls, errors, tokens, cost, TTFT sketch,
 * decode tokens and time), the slowest and most expensive calls, per-trace LLM totals and
 * conversation → trace links (`gen_ai.conversation.id` on any span of the trace).
 */
export class LlmAggregator {
  private pending = new Map<string, LlmCell>();
  private top: TopEntry[] = [];
  /** After a trim: values below these cannot enter the kept top lists. */
  private topFloor = { duration_ms: 0, cost_usd: 0 };
  /** LLM totals per trace, pending. */
  private traces = new Map<string, LlmConversationTrace>();
  /** Conversation → trace links (first span start), pending. */
  private conversationLinks = new Map<string, { id: string; traceId: string; firstUs: number }>();

  constructor(private readonly db: Database.Database) {
    createLlmSchema(db);
  }

  /** Counts one span when it is an LLM call; records its conversation when it carries one. */
  add(service: string, span: SpanInput): void {
    const call = llmCallOf(span);
    const conv = span.attributes[LLM_ATTRS.conversation];
    // The conversation id usually sits on a request span, not on the LLM spans of its trace (which
    // may arrive in other batches): traces and conversations are linked, and joined when read.
    if (typeof conv === 'string' && conv !== '') this.linkConversation(conv, span);
    if (call === undefined) return;
    this.addToTrace(span, call);
    const minute = Math.floor(span.startUs / MINUTE_US);
    const key = `${minute}\u0000${call.provider}\u0000${call.model}`;
    let c = this.pending.get(key);
    if (c === undefined) {
      c = {
        minute,
        provider: call.provider,
        model: call.model,
        ...noLlmTotals(),
        ttft: new Map(),
        decodeTokens: 0,
        decodeMs: 0,
      };
      this.pending.set(key, c);
    }
    addLlmTotals(c, { ...call, calls: 1, errors: call.error ? 1 : 0 });
    if (call.ttftMs !== undefined) sketchAdd(c.ttft, sketchIndex(call.ttftMs * 1000));
    if (call.evalMs !== undefined && call.evalMs > 0) {
      c.decodeTokens += call.outputTokens;
      c.decodeMs += call.evalMs;
    }
    const base = {
      traceId: span.traceId,
      spanId: span.spanId,
      startUs: span.startUs,
      service,
      provider: call.provider,
      model: call.model,
    };
    const ms = span.durationUs / 1000;
    if (ms > this.topFloor.duration_ms) this.top.push({ metric: 'duration_ms', value: ms, ...base });
    if (call.costUsd > this.topFloor.cost_usd)
      this.top.push({ metric: 'cost_usd', value: call.costUsd, ...base });
    if (this.top.length > 4 * LLM_TOP_KEEP) this.trimTop();
  }

  private trimTop(): void {
    const keep: TopEntry[] = [];
    for (const metric of ['duration_ms', 'cost_usd'] as const) {
      const kept = this.top
        .filter((t) => t.metric === metric)
        .sort((a, b) => b.value - a.value)
        .slice(0, LLM_TOP_KEEP);
      // Only while this batch of candidates is pending: the stored list is trimmed on flush.
      if (kept.length === LLM_TOP_KEEP) this.topFloor[metric] = (kept[kept.length - 1] as TopEntry).value;
      keep.push(...kept);
    }
    this.top = keep;
  }

  private linkConversation(id: string, span: SpanInput): void {
    const key = `${id}\u0000${span.traceId}`;
    const e = this.conversationLinks.get(key);
    if (e === undefined)
      this.conversationLinks.set(key, { id, traceId: span.traceId, firstUs: span.startUs });
    else e.firstUs = Math.min(e.firstUs, span.startUs);
  }

  private addToTrace(span: SpanInput, call: LlmCall): void {
    let e = this.traces.get(span.traceId);
    if (e === undefined) {
      e = {
        traceId: span.traceId,
        firstUs: span.startUs,
        lastUs: span.startUs + span.durationUs,
        calls: 0,
        errors: 0,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        llmMs: 0,
      };
      this.traces.set(span.traceId, e);
    }
    e.firstUs = Math.min(e.firstUs, span.startUs);
    e.lastUs = Math.max(e.lastUs, span.startUs + span.durationUs);
    e.calls++;
    if (call.error) e.errors++;
    e.inputTokens += call.inputTokens;
    e.outputTokens += call.outputTokens;
    e.costUsd += call.costUsd;
    e.llmMs += span.durationUs / 1000;
  }

  /** Whether anything waits to be written. */
  get dirty(): boolean {
    return (
      this.pending.size > 0 || this.top.length > 0 || this.traces.size > 0 || this.conversationLinks.size > 0
    );
  }

  /** Merges pending figures into the tables (call inside a transaction). */
  flush(): void {
    const get = this.db.prepare('SELECT * FROM llm_minutes WHERE minute = ? AND provider = ? AND model = ?');
    const put = this.db.prepare('INSERT OR REPLACE INTO llm_minutes VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)');
    for (const c of this.pending.values()) {
      const old = get.get(c.minute, c.provider, c.model) as LlmRow | undefined;
      if (old !== undefined) {
        addLlmTotals(c, totalsOfRow(old));
        c.decodeTokens += old.decode_tokens;
        c.decodeMs += old.decode_ms;
        sketchMerge(c.ttft, sketchFromJson(old.ttft));
      }
      put.run(
        c.minute,
        c.provider,
        c.model,
        c.calls,
        c.errors,
        c.inputTokens,
        c.outputTokens,
        c.cachedTokens,
        c.reasoningTokens,
        c.costUsd,
        sketchToJson(c.ttft),
        c.decodeTokens,
        c.decodeMs,
      );
    }
    this.pending = new Map();

    if (this.top.length > 0) {
      this.trimTop();
      const ins = this.db.prepare('INSERT INTO llm_top VALUES (?,?,?,?,?,?,?,?)');
      for (const t of this.top) {
        ins.run(t.metric, t.value, t.traceId, t.spanId, t.startUs, t.service, t.provider, t.model);
      }
      for (const metric of ['duration_ms', 'cost_usd']) {
        this.db
          .prepare(
            'DELETE FROM llm_top WHERE metric = ? AND rowid NOT IN (SELECT rowid FROM llm_top WHERE metric = ? ORDER BY value DESC LIMIT ?)',
          )
          .run(metric, metric, LLM_TOP_KEEP);
      }
      this.top = [];
      this.topFloor = { duration_ms: 0, cost_usd: 0 };
    }

    const getTrace = this.db.prepare('SELECT * FROM llm_traces WHERE trace_id = ?');
    const putTrace = this.db.prepare('INSERT OR REPLACE INTO llm_traces VALUES (?,?,?,?,?,?,?,?,?)');
    for (const e of this.traces.values()) {
      const o = getTrace.get(e.traceId) as Record<string, number> | undefined;
      putTrace.run(
        e.traceId,
        Math.min(e.firstUs, o?.first_us ?? e.firstUs),
        Math.max(e.lastUs, o?.last_us ?? e.lastUs),
        e.calls + (o?.calls ?? 0),
        e.errors + (o?.errors ?? 0),
        e.inputTokens + (o?.input_tokens ?? 0),
        e.outputTokens + (o?.output_tokens ?? 0),
        e.costUsd + (o?.cost_usd ?? 0),
        e.llmMs + (o?.llm_ms ?? 0),
      );
    }
    this.traces = new Map();
    const link = this.db.prepare(
      `INSERT INTO llm_conversation_traces VALUES (?,?,?)
       ON CONFLICT (conversation_id, trace_id) DO UPDATE SET first_us = MIN(first_us, excluded.first_us)`,
    );
    for (const l of this.conversationLinks.values()) link.run(l.id, l.traceId, l.firstUs);
    this.conversationLinks = new Map();
  }

  /** Deletes figures of minutes before `minute` (and calls/conversations that started before it). */
  prune(minute: number): void {
    const us = minute * MINUTE_US;
    this.db.prepare('DELETE FROM llm_minutes WHERE minute < ?').run(minute);
    this.db.prepare('DELETE FROM llm_top WHERE start_us < ?').run(us);
    this.db.prepare('DELETE FROM llm_traces WHERE last_us < ?').run(us);
    this.db.prepare('DELETE FROM llm_conversation_traces WHERE first_us < ?').run(us);
  }

  /** Stored cells of minutes `[fromMinute, toMinute]`. */
  cells(fromMinute: number, toMinute: number): LlmCell[] {
    const rows = this.db
      .prepare('SELECT * FROM llm_minutes WHERE minute BETWEEN ? AND ?')
      .all(fromMinute, toMinute) as LlmRow[];
    return rows.map((r) => ({
      minute: r.minute,
      provider: r.provider,
      model: r.model,
      ...totalsOfRow(r),
      ttft: sketchFromJson(r.ttft),
      decodeTokens: r.decode_tokens,
      decodeMs: r.decode_ms,
    }));
  }

  /** The slowest (`duration_ms`) or most expensive (`cost_usd`) calls, largest first. */
  topCalls(metric: 'duration_ms' | 'cost_usd', limit: number): LlmCallSummary[] {
    return this.db
      .prepare(
        'SELECT value, trace_id AS traceId, span_id AS spanId, start_us AS startUs, service, provider, model FROM llm_top WHERE metric = ? ORDER BY value DESC LIMIT ?',
      )
      .all(metric, limit) as LlmCallSummary[];
  }

  /** Conversations with their totals (LLM calls of their traces), most recent first. */
  conversationList(limit: number): LlmConversationSummary[] {
    return this.db
      .prepare(
        `SELECT c.conversation_id AS conversationId, COUNT(*) AS traces, MIN(c.first_us) AS firstUs,
           MAX(COALESCE(t.last_us, c.first_us)) AS lastUs, COALESCE(SUM(t.calls), 0) AS calls,
           COALESCE(SUM(t.errors), 0) AS errors, COALESCE(SUM(t.input_tokens), 0) AS inputTokens,
           COALESCE(SUM(t.output_tokens), 0) AS outputTokens, COALESCE(SUM(t.cost_usd), 0) AS costUsd,
           COALESCE(SUM(t.llm_ms), 0) AS llmMs
         FROM llm_conversation_traces c LEFT JOIN llm_traces t ON t.trace_id = c.trace_id
         GROUP BY c.conversation_id ORDER BY lastUs DESC LIMIT ?`,
      )
      .all(limit) as LlmConversationSummary[];
  }

  /** The traces of one conversation with their LLM totals, oldest first. */
  conversationTraces(id: string): LlmConversationTrace[] {
    return this.db
      .prepare(
        `SELECT c.trace_id AS traceId, c.first_us AS firstUs, COALESCE(t.last_us, c.first_us) AS lastUs,
           COALESCE(t.calls, 0) AS calls, COALESCE(t.errors, 0) AS errors,
           COALESCE(t.input_tokens, 0) AS inputTokens, COALESCE(t.output_tokens, 0) AS outputTokens,
           COALESCE(t.cost_usd, 0) AS costUsd, COALESCE(t.llm_ms, 0) AS llmMs
         FROM llm_conversation_traces c LEFT JOIN llm_traces t ON t.trace_id = c.trace_id
         WHERE c.conversation_id = ? ORDER BY c.first_us`,
      )
      .all(id) as LlmConversationTrace[];
  }
}
