/**
 * LLM: per provider × model calls, errors, tokens, cost, time to first token and decode speed
 * over time; the slowest and most expensive calls; conversations (`gen_ai.conversation.id`)
 * with their traces and totals. All from the collector's span metrics.
 */
import { sparkline } from '../components/sparkline.js';
import { h, replaceChildren } from '../dom.js';
import { formatTime } from '../format.js';
import {
  type ConversationRow,
  fetchConversation,
  fetchConversations,
  fetchLlmCalls,
  fetchLlmModels,
  type LlmCallRow,
} from '../metrics-api.js';
import { setQueryParams } from '../router.js';
import { ms, rangeMs, rangeSelect, table, usd } from './monitor-shared.js';

const int = (n: number) => n.toLocaleString('en-US');

function callRows(calls: LlmCallRow[], value: (c: LlmCallRow) => string): HTMLTableRowElement[] {
  return calls.map((c) =>
    h(
      'tr',
      null,
      h('td', { class: 'num' }, value(c)),
      h('td', null, `${c.provider} / ${c.model}`),
      h('td', null, c.service),
      h('td', null, formatTime(c.startUs)),
      h('td', null, h('a', { href: `/trace/${c.traceId}?span=${c.spanId}` }, c.traceId.slice(0, 12))),
    ),
  );
}

function conversationTotals(r: ConversationRow): (HTMLElement | string)[] {
  return [
    h('td', { class: 'num' }, int(r.calls)),
    h('td', { class: `num${r.errors > 0 ? ' bad' : ''}` }, int(r.errors)),
    h('td', { class: 'num' }, `${int(r.inputTokens)} / ${int(r.outputTokens)}`),
    h('td', { class: 'num' }, usd(r.costUsd)),
    h('td', { class: 'num' }, ms(r.llmMs)),
    h('td', null, formatTime(r.firstUs)),
  ];
}

/** Renders the LLM page (`/llm`, `/llm?conversation=…`). */
export function llmPage(root: HTMLElement, url: URL): () => void {
  const controller = new AbortController();
  const conversation = url.searchParams.get('conversation') ?? undefined;
  const range = rangeSelect(url, 'llm-range');
  const status = h('div', { class: 'result-status', role: 'status', 'aria-live': 'polite' });
  const models = h('section', { class: 'llm-models', 'aria-label': 'Models' });
  const slowest = h('section', { class: 'llm-top' });
  const costliest = h('section', { class: 'llm-top' });
  const conversations = h('section', { class: 'llm-conversations' });

  async function load(): Promise<void> {
    status.textContent = 'Loading…';
    const started = performance.now();
    try {
      const signal = controller.signal;
      const [m, slow, cost, conv] = await Promise.all([
        fetchLlmModels(rangeMs(range), signal),
        fetchLlmCalls('duration', 10, signal),
        fetchLlmCalls('cost', 10, signal),
        conversation === undefined ? fetchConversations(50, signal) : fetchConversation(conversation, signal),
      ]);
      replaceChildren(
        models,
        h('h2', null, 'Models'),
        m.models.length === 0
          ? h('p', { class: 'empty' }, 'No LLM calls in this time range.')
          : table(
              'models',
              [
                'Provider / model',
                'Calls',
                'Errors',
                'Tokens in / out',
                'Cached in',
                'Reasoning',
                'Cost',
                'TTFT p50',
                'TTFT p95',
                'Decode tok/s',
                'Calls',
                'Cost',
              ],
              m.models.map((r) =>
                h(
                  'tr',
                  null,
                  h('th', { scope: 'row' }, `${r.provider} / ${r.model}`),
                  h('td', { class: 'num' }, int(r.calls)),
                  h('td', { class: `num${r.errors > 0 ? ' bad' : ''}` }, int(r.errors)),
                  h('td', { class: 'num' }, `${int(r.inputTokens)} / ${int(r.outputTokens)}`),
                  h('td', { class: 'num' }, int(r.cachedTokens)),
                  h('td', { class: 'num' }, int(r.reasoningTokens)),
                  h('td', { class: 'num' }, usd(r.costUsd)),
                  h('td', { class: 'num' }, ms(r.ttftP50Ms)),
                  h('td', { class: 'num' }, ms(r.ttftP95Ms)),
                  h(
                    'td',
                    { class: 'num' },
                    r.decodeTokensPerSec === null ? '—' : r.decodeTokensPerSec.toFixed(1),
                  ),
                  h('td', null, sparkline(r.series.calls, `calls per bucket: ${r.series.calls.join(', ')}`)),
                  h(
                    'td',
                    null,
                    sparkline(r.series.costUsd, `cost per bucket (USD): ${r.series.costUsd.join(', ')}`),
                  ),
                ),
              ),
            ),
      );
      replaceChildren(
        slowest,
        h('h2', null, 'Slowest calls'),
        slow.calls.length === 0
          ? h('p', { class: 'empty' }, 'None yet.')
          : table(
              'calls',
              ['Duration', 'Model', 'Service', 'Started', 'Trace'],
              callRows(slow.calls, (c) => ms(c.value)),
            ),
      );
      replaceChildren(
        costliest,
        h('h2', null, 'Most expensive calls'),
        cost.calls.length === 0
          ? h('p', { class: 'empty' }, 'No priced calls yet.')
          : table(
              'calls',
              ['Cost', 'Model', 'Service', 'Started', 'Trace'],
              callRows(cost.calls, (c) => usd(c.value)),
            ),
      );
      if ('conversations' in conv) {
        replaceChildren(
          conversations,
          h('h2', null, 'Conversations'),
          conv.conversations.length === 0
            ? h('p', { class: 'empty' }, 'No spans with gen_ai.conversation.id yet.')
            : table(
                'conversations',
                [
                  'Conversation',
                  'Traces',
                  'LLM calls',
                  'Errors',
                  'Tokens in / out',
                  'Cost',
                  'LLM time',
                  'First',
                ],
                conv.conversations.map((r) =>
                  h(
                    'tr',
                    null,
                    h(
                      'th',
                      { scope: 'row' },
                      h(
                        'a',
                        { href: `/llm?${new URLSearchParams({ conversation: r.conversationId ?? '' })}` },
                        r.conversationId ?? '',
                      ),
                    ),
                    h('td', { class: 'num' }, int(r.traces ?? 0)),
                    conversationTotals(r),
                  ),
                ),
              ),
        );
      } else {
        replaceChildren(
          conversations,
          h('h2', null, `Conversation ${conv.conversationId}`),
          h('a', { href: '/llm' }, '← all conversations'),
          table(
            'conversations',
            ['Trace', 'LLM calls', 'Errors', 'Tokens in / out', 'Cost', 'LLM time', 'Started'],
            conv.traces.map((r) =>
              h(
                'tr',
                null,
                h(
                  'th',
                  { scope: 'row' },
                  h('a', { href: `/trace/${r.traceId}` }, (r.traceId ?? '').slice(0, 12)),
                ),
                conversationTotals(r),
              ),
            ),
          ),
        );
      }
      status.textContent = `${m.models.length} models · ${Math.round(performance.now() - started)} ms`;
    } catch (err) {
      if ((err as Error).name !== 'AbortError')
        status.textContent = `Cannot load LLM figures: ${(err as Error).message}`;
    }
  }
  range.addEventListener('change', () => {
    setQueryParams({ range: range.value });
    void load();
  });
  replaceChildren(
    root,
    h(
      'div',
      { class: 'llm-page' },
      h(
        'div',
        { class: 'map-head' },
        h('h1', null, 'LLM calls'),
        h('label', { for: 'llm-range' }, 'Time range '),
        range,
      ),
      h(
        'p',
        { class: 'hint' },
        'Cost from the @autobot/llm price table (llm.cost_usd); TTFT within 1 % (DDSketch); decode speed from Ollama’s eval_duration.',
      ),
      status,
      models,
      h('div', { class: 'llm-tops' }, slowest, costliest),
      conversations,
    ),
  );
  void load();
  return () => controller.abort();
}
