/**
 * Where an LLM call's time went, from the `llm.inference` span's attributes: for Ollama
 * queue/network (client wall time outside the server), model load, prompt processing (prefill)
 * and generation (decode) with their token rates; for streams without server timings, the wait
 * for the first chunk and the streaming after it. Plus tokens (cached, reasoning) and cost.
 */
import type { KeyValue } from '../api.js';
import { h } from '../dom.js';
import { formatDuration } from '../format.js';
import { tagValue } from '../model.js';

/** One phase of a call, µs. */
export interface LlmPhase {
  key: 'overhead' | 'load' | 'prefill' | 'decode' | 'first-chunk' | 'streaming';
  label: string;
  durationUs: number;
  /** Tokens per second of this phase, when known. */
  tokensPerSec?: number;
}

function num(tags: readonly KeyValue[], key: string): number | undefined {
  const v = tagValue(tags, key);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** The phases of a call, in order; empty when the span carries no timing breakdown. */
export function llmPhases(tags: readonly KeyValue[], spanDurationUs: number): LlmPhase[] {
  const wallMs = num(tags, 'llm.duration_ms') ?? spanDurationUs / 1000;
  const totalMs = num(tags, 'llm.total_duration_ms');
  const loadMs = num(tags, 'llm.load_duration_ms');
  const prefillMs = num(tags, 'llm.prompt_eval_duration_ms');
  const decodeMs = num(tags, 'llm.eval_duration_ms');
  if (totalMs !== undefined && loadMs !== undefined && prefillMs !== undefined && decodeMs !== undefined) {
    return [
      { key: 'overhead', label: 'Queue / network', durationUs: Math.max(0, wallMs - totalMs) * 1000 },
      { key: 'load', label: 'Model load', durationUs: loadMs * 1000 },
      {
        key: 'prefill',
        label: 'Prompt processing',
        durationUs: prefillMs * 1000,
        tokensPerSec: num(tags, 'llm.prefill_tokens_per_second'),
      },
      {
        key: 'decode',
        label: 'Generation',
        durationUs: decodeMs * 1000,
        tokensPerSec: num(tags, 'llm.decode_tokens_per_second'),
      },
    ];
  }
  const ttfcMs = num(tags, 'llm.time_to_first_chunk_ms');
  if (ttfcMs !== undefined) {
    const out = num(tags, 'gen_ai.usage.output_tokens');
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

/** The phases as a stacked bar with a legend, and the cost/token details; null when nothing to show. */
export function llmPhasesView(tags: readonly KeyValue[], spanDurationUs: number): HTMLElement | null {
  const phases = llmPhases(tags, spanDurationUs);
  const cost = num(tags, 'llm.cost_usd');
  const cached = num(tags, 'gen_ai.usage.cache_read.input_tokens');
  const reasoning = num(tags, 'gen_ai.usage.reasoning.output_tokens');
  if (phases.length === 0 && cost === undefined && cached === undefined && reasoning === undefined)
    return null;
  const total = phases.reduce((a, p) => a + p.durationUs, 0) || 1;
  const extras = [
    cached === undefined ? null : `cached input ${cached} tokens`,
    reasoning === undefined ? null : `reasoning ${reasoning} tokens`,
    cost === undefined
      ? null
      : `cost $${cost === 0 ? '0' : cost.toPrecision(3)} (${String(tagValue(tags, 'llm.price_table_version') ?? 'price table')})`,
  ].filter((x): x is string => x !== null);
  return h(
    'div',
    { class: 'llm-phases' },
    phases.length === 0
      ? null
      : h(
          'div',
          {
            class: 'phase-bar',
            role: 'img',
            'aria-label': phases.map((p) => `${p.label} ${formatDuration(p.durationUs)}`).join(', '),
          },
          phases.map((p) =>
            h('span', {
              class: `phase phase-${p.key}`,
              style: { width: `${((p.durationUs / total) * 100).toFixed(2)}%` },
              title: `${p.label}: ${formatDuration(p.durationUs)}`,
            }),
          ),
        ),
    phases.length === 0
      ? null
      : h(
          'ul',
          { class: 'phase-legend' },
          phases.map((p) =>
            h(
              'li',
              { dataset: { phase: p.key } },
              h('span', { class: `swatch phase-${p.key}` }),
              `${p.label} ${formatDuration(p.durationUs)}`,
              p.tokensPerSec === undefined ? '' : ` · ${p.tokensPerSec.toFixed(1)} tokens/s`,
            ),
          ),
        ),
    extras.length === 0 ? null : h('p', { class: 'phase-extras' }, extras.join(' · ')),
  );
}
