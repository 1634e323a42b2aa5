/**
 * Where an LLM call's time went, from the `llm.inference` span's attributes: for Ollama
 * queue/network (client wall time outside the server), model load, prompt processing (prefill)
 * and generation (decode) with their token rates; for streams without server timings, the wait
 * for the first chunk and the streaming after it. Plus tokens (cached, reasoning) and cost.
 */
import type { KeyValue } from '../api.js';
import { h } from '../dom.js';
import { formatDuration } from '../format.js';
import { llmPhases, numTag as num } from '../llm.js';
import { tagValue } from '../model.js';

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
