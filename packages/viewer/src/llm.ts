/** Reads the LLM facts of an `llm.inference` span: model, provider, tokens, first chunk, messages. */
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
