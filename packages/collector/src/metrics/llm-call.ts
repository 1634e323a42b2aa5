/**
 * What one LLM span says about its call (provider, model, tokens, cost, timings), and the
 * additive totals that minute cells and summaries sum from such calls.
 */
import type { Attributes, SpanInput } from '../model.js';

/** Attribute keys read from LLM spans (after GenAI normalisation). */
export const LLM_ATTRS = {
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  input: 'gen_ai.usage.input_tokens',
  output: 'gen_ai.usage.output_tokens',
  cached: 'gen_ai.usage.cache_read.input_tokens',
  reasoning: 'gen_ai.usage.reasoning.output_tokens',
  cost: 'llm.cost_usd',
  ttftMs: 'llm.time_to_first_chunk_ms',
  ttftS: 'gen_ai.response.time_to_first_chunk',
  evalMs: 'llm.eval_duration_ms',
  conversation: 'gen_ai.conversation.id',
} as const;

/** The per-call figures read from one LLM span. */
export interface LlmCall {
  provider: string;
  model: string;
  error: boolean;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUsd: number;
  ttftMs: number | undefined;
  /** Server-side decode time (Ollama `eval_duration`), ms. */
  evalMs: number | undefined;
}

/** The additive figures of LLM calls: summed alike into a minute cell and into a summary. */
export interface LlmTotals {
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUsd: number;
}

/** The totals of no calls. */
export function noLlmTotals(): LlmTotals {
  return {
    calls: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
  };
}

/** Adds `more` into `into`, field by field. */
export function addLlmTotals(into: LlmTotals, more: LlmTotals): void {
  into.calls += more.calls;
  into.errors += more.errors;
  into.inputTokens += more.inputTokens;
  into.outputTokens += more.outputTokens;
  into.cachedTokens += more.cachedTokens;
  into.reasoningTokens += more.reasoningTokens;
  into.costUsd += more.costUsd;
}

function num(a: Attributes, key: string): number | undefined {
  const v = a[key];
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** The LLM figures of a span, or `undefined` when it is not an LLM call (no GenAI model key). */
export function llmCallOf(span: SpanInput): LlmCall | undefined {
  const a = span.attributes;
  const model = a[LLM_ATTRS.requestModel] ?? a[LLM_ATTRS.responseModel];
  if (typeof model !== 'string' || model === '') return undefined;
  const provider = a[LLM_ATTRS.provider];
  const ttftS = num(a, LLM_ATTRS.ttftS);
  return {
    provider: typeof provider === 'string' && provider !== '' ? provider : 'unknown',
    model,
    error: span.statusCode === 2,
    inputTokens: num(a, LLM_ATTRS.input) ?? 0,
    outputTokens: num(a, LLM_ATTRS.output) ?? 0,
    cachedTokens: num(a, LLM_ATTRS.cached) ?? 0,
    reasoningTokens: num(a, LLM_ATTRS.reasoning) ?? 0,
    costUsd: num(a, LLM_ATTRS.cost) ?? 0,
    ttftMs: num(a, LLM_ATTRS.ttftMs) ?? (ttftS === undefined ? undefined : ttftS * 1000),
    evalMs: num(a, LLM_ATTRS.evalMs),
  };
}

/** A stored `llm_minutes` row. */
