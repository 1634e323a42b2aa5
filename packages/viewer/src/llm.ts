/**
 * Reads the LLM facts of an `llm.inference` span: model, provider, tokens, first chunk, messages,
 * and where the call's time went (its phases, and those phases placed on the span's clock).
 */
import type { KeyValue, SpanLog } from './api.js';
import { tagValue } from './model.js';

/** What the LLM view shows. Times in µs; counts may be missing. */
export interface LlmInfo {
  model?: string;
  provider?: string;
  tokensIn?: number;
  tokensOut?: number;
  totalTokens?: number;
  /** Offset of the first streamed chunk from the span start, µs. */
  firstChunkOffsetUs?: number;
  finishReason?: string;
  streaming?: boolean;
  inputMessages?: unknown;
  outputMessages?: unknown;
}

const FIRST_CHUNK_EVENTS = new Set(['gen_ai.first_chunk', 'llm.first_chunk']);

/** True for spans the LLM view applies to. */
export function isLlmSpan(name: string, tags: readonly KeyValue[]): boolean {
  return (
    name === 'llm.inference' || tags.some((t) => t.key.startsWith('llm.') || t.key.startsWith('gen_ai.'))
  );
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

function parseMaybeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** The log's event name (Jaeger puts it in the `event` field). */
export function logName(log: SpanLog): string {
  const ev = log.fields.find((f) => f.key === 'event');
  return ev ? String(ev.value) : '';
}

/** Extracts {@link LlmInfo}; the first-chunk time comes from the attribute or the span event. */
export function llmInfo(tags: readonly KeyValue[], logs: readonly SpanLog[], spanStartUs: number): LlmInfo {
  const info: LlmInfo = {
    model: str(
      tagValue(tags, 'llm.model') ??
        tagValue(tags, 'gen_ai.response.model') ??
        tagValue(tags, 'gen_ai.request.model'),
    ),
    provider: str(
      tagValue(tags, 'llm.provider') ??
        tagValue(tags, 'gen_ai.provider.name') ??
        tagValue(tags, 'gen_ai.system'),
    ),
    tokensIn: num(tagValue(tags, 'llm.prompt_tokens') ?? tagValue(tags, 'gen_ai.usage.input_tokens')),
    tokensOut: num(tagValue(tags, 'llm.completion_tokens') ?? tagValue(tags, 'gen_ai.usage.output_tokens')),
    totalTokens: num(tagValue(tags, 'llm.total_tokens')),
    finishReason: str(
      tagValue(tags, 'llm.finish_reason') ?? tagValue(tags, 'gen_ai.response.finish_reasons'),
    ),
  };
  const streaming = tagValue(tags, 'llm.streaming');
  if (streaming !== undefined) info.streaming = streaming === true || streaming === 'true';
  if (info.totalTokens === undefined && info.tokensIn !== undefined && info.tokensOut !== undefined) {
    info.totalTokens = info.tokensIn + info.tokensOut;
  }
  const ttfcMs = num(tagValue(tags, 'llm.time_to_first_chunk_ms'));
  if (ttfcMs !== undefined) info.firstChunkOffsetUs = ttfcMs * 1000;
  else {
    const ev = logs.find((l) => FIRST_CHUNK_EVENTS.has(logName(l)));
    if (ev) info.firstChunkOffsetUs = ev.timestamp - spanStartUs;
  }
  const input = tagValue(tags, 'gen_ai.input.messages');
  const output = tagValue(tags, 'gen_ai.output.messages');
  if (input !== undefined) info.inputMessages = parseMaybeJson(input);
  if (output !== undefined) info.outputMessages = parseMaybeJson(output);
  return info;
}

/** One chat message to display: role and plain text. */
export interface ChatMessage {
  role: string;
  text: string;
}

/**
 * Normalises OpenTelemetry GenAI messages (`[{role, parts:[{type:'text', content}]}]`) and the
 * older `[{role, content}]` shape into role + text. Anything else is shown as JSON text.
 */
export function chatMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value))
    return value === undefined
      ? []
      : [{ role: '', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) }];
  return value.map((m) => {
    if (!m || typeof m !== 'object') return { role: '', text: String(m) };
    const rec = m as Record<string, unknown>;
    const role = str(rec.role) ?? '';
    if (Array.isArray(rec.parts)) {
      const text = rec.parts
        .map((p) => {
          const part = p as Record<string, unknown>;
          if (typeof part?.content === 'string') return part.content;
          return JSON.stringify(p);
        })
        .join('\n');
      return { role, text };
    }
    if (typeof rec.content === 'string') return { role, text: rec.content };
    return { role, text: JSON.stringify(rec, null, 2) };
  });
}

/** One phase of a call, µs. */
export interface LlmPhase {
  key: 'overhead' | 'load' | 'prefill' | 'decode' | 'first-chunk' | 'streaming';
  label: string;
  durationUs: number;
  /** Tokens per second of this phase, when known. */
  tokensPerSec?: number;
}

/** A numeric attribute (number or numeric string); undefined when absent or not a finite number. */
export function numTag(tags: readonly KeyValue[], key: string): number | undefined {
  const v = tagValue(tags, key);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** The phases of a call, in order; empty when the span carries no timing breakdown. */
export function llmPhases(tags: readonly KeyValue[], spanDurationUs: number): LlmPhase[] {
  const wallMs = numTag(tags, 'llm.duration_ms') ?? spanDurationUs / 1000;
  const totalMs = numTag(tags, 'llm.total_duration_ms');
  const loadMs = numTag(tags, 'llm.load_duration_ms');
  const prefillMs = numTag(tags, 'llm.prompt_eval_duration_ms');
  const decodeMs = numTag(tags, 'llm.eval_duration_ms');
  if (totalMs !== undefined && loadMs !== undefined && prefillMs !== undefined && decodeMs !== undefined) {
    return [
      { key: 'overhead', label: 'Queue / network', durationUs: Math.max(0, wallMs - totalMs) * 1000 },
      { key: 'load', label: 'Model load', durationUs: loadMs * 1000 },
      {
        key: 'prefill',
        label: 'Prompt processing',
        durationUs: prefillMs * 1000,
        tokensPerSec: numTag(tags, 'llm.prefill_tokens_per_second'),
      },
      {
        key: 'decode',
        label: 'Generation',
        durationUs: decodeMs * 1000,
        tokensPerSec: numTag(tags, 'llm.decode_tokens_per_second'),
      },
    ];
  }
  const ttfcMs = numTag(tags, 'llm.time_to_first_chunk_ms');
  if (ttfcMs !== undefined) {
    const out = numTag(tags, 'gen_ai.usage.output_tokens');
    const streamMs = Math.max(0, wallMs - ttfcMs);
    return [
      { key: 'first-chunk', label: 'Until first chunk', durationUs: ttfcMs * 1000 },
      {
        key: 'streaming',
        label: 'Streaming',
        durationUs: streamMs * 1000,
        tokensPerSec: out !== undefined && streamMs > 0 ? out / (streamMs / 1000) : undefined,
      },
    ];
  }
  return [];
}

/** A phase placed on the span's clock: absolute µs, like span times. */
export interface LlmPhaseInterval {
  key: LlmPhase['key'];
  start: number;
  end: number;
}

/**
 * The call's phases laid out over the span's own interval, in order, ending exactly at the span
 * end; empty when the span has no complete timing breakdown or a phase is negative (bad data:
 * the caller then treats the call as a whole). The recorded durations rarely add up to the
 * span's exactly (`llm.duration_ms` is measured apart from the span, server clocks round), so
 * they are scaled to fill it.
 *
 * NOTE: attributes give durations, not times. For Ollama the queue/network time is put before
 * the server's work unless the first chunk's offset is known: then the server's load + prefill
 * end at the first chunk, and queue/network is split around them (before: the time until load
 * began; after: the rest, once decode ends).
 */
export function llmPhaseTimeline(
  tags: readonly KeyValue[],
  logs: readonly SpanLog[],
  startUs: number,
  durationUs: number,
): LlmPhaseInterval[] {
  if (!(durationUs > 0)) return [];
  const phases = llmPhases(tags, durationUs);
  if (phases.some((p) => !Number.isFinite(p.durationUs) || p.durationUs < 0)) return [];
  const sum = phases.reduce((a, p) => a + p.durationUs, 0);
  if (!(sum > 0)) return [];
  const pieces = splitOverhead(phases, llmInfo(tags, logs, startUs).firstChunkOffsetUs);
  const scale = durationUs / sum;
  const out: LlmPhaseInterval[] = [];
  let t = startUs;
  for (const [i, p] of pieces.entries()) {
    const end = i === pieces.length - 1 ? startUs + durationUs : t + p.durationUs * scale;
    if (end > t) out.push({ key: p.key, start: t, end });
    t = end;
  }
  return out;
}

/** Ollama phases with queue/network split around the server's work at the first chunk. */
function splitOverhead(
  phases: readonly LlmPhase[],
  firstChunkUs: number | undefined,
): { key: LlmPhase['key']; durationUs: number }[] {
  const [overhead, load, prefill, decode] = phases;
  if (overhead?.key !== 'overhead' || !load || !prefill || !decode) return [...phases];
  const lead =
    firstChunkUs === undefined
      ? overhead.durationUs
      : Math.max(0, Math.min(overhead.durationUs, firstChunkUs - load.durationUs - prefill.durationUs));
  return [
    { key: 'overhead', durationUs: lead },
    load,
    prefill,
    decode,
    { key: 'overhead', durationUs: overhead.durationUs - lead },
  ];
}
