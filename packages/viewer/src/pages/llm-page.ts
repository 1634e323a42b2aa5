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
  type LlmModelRow,
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

const MODEL_COLUMNS = [
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
];

function modelRow(r: LlmModelRow): HTMLTableRowElement {
  return h(
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
    h('td', { class: 'num' }, r.decodeTokensPerSec === null ? '—' : r.decodeTokensPerSec.toFixed(1)),
    h('td', null, sparkline(r.series.calls, `calls per bucket: ${r.series.calls.join(', ')}`)),
    h('td', null, sparkline(r.series.costUsd, `cost per bucket (USD): ${r.series.costUsd.join(', ')}`)),
  );
}

function fillModels(holder: HTMLElement, models: LlmModelRow[]): void {
  replaceChildren(
    holder,
    h('h2', null, 'Models'),
    models.length === 0
      ? h('p', { class: 'empty' }, 'No LLM calls in this time range.')
      : table('models', MODEL_COLUMNS, models.map(modelRow)),
  );
}

/** A top-calls table (slowest, most expensive): `value` formats the ranking figure. */
function fillCalls(
  holder: HTMLElement,
  title: string,
  empty: string,
  valueColumn: string,
  calls: LlmCallRow[],
  value: (c: LlmCallRow) => string,
): void {
  replaceChildren(
    holder,
    h('h2', null, title),
    calls.length === 0
      ? h('p', { class: 'empty' }, empty)
      : table('calls', [valueColumn, 'Model', 'Service', 'Started', 'Trace'], callRows(calls, value)),
  );
}

function fillConversationList(holder: HTMLElement, rows: ConversationRow[]): void {
  replaceChildren(
    holder,
    h('h2', null, 'Conversations'),
    rows.length === 0
      ? h('p', { class: 'empty' }, 'No spans with gen_ai.conversation.id yet.')
      : table(
          'conversations',
          ['Conversation', 'Traces', 'LLM calls', 'Errors', 'Tokens in / out', 'Cost', 'LLM time', 'First'],
          rows.map((r) =>
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
}

function fillConversation(holder: HTMLElement, conversationId: string, traces: ConversationRow[]): void {
  replaceChildren(
    holder,
    h('h2', null, `Conversation ${conversationId}`),
    h('a', { href: '/llm' }, '← all conversations'),
    table(
      'conversations',
      ['Trace', 'LLM calls', 'Errors', 'Tokens in / out', 'Cost', 'LLM time', 'Started'],
      traces.map((r) =>
        h(
          'tr',
          null,
          h('th', { scope: 'row' }, h('a', { href: `/trace/${r.traceId}` }, (r.traceId ?? '').slice(0, 12))),
          conversationTotals(r),
        ),
      ),
    ),
  );
}

/** The page's sections, filled by each load. */
interface LlmSections {
  status: HTMLElement;
  models: HTMLElement;
  slowest: HTMLElement;
  costliest: HTMLElement;
  conversations: HTMLElement;
}

/** Fetches every figure of the page at once and fills the sections; says so in `status` on failure. */
async function loadLlmPage(
  sections: LlmSections,
  lookbackMs: number,
  conversation: string | undefined,
  signal: AbortSignal,
): Promise<void> {
  const { status } = sections;
  status.textContent = 'Loading…';
  const started = performance.now();
  try {
    const [m, slow, cost, conv] = await Promise.all([
      fetchLlmModels(lookbackMs, signal),
      fetchLlmCalls('duration', 10, signal),
      fetchLlmCalls('cost', 10, signal),
      conversation === undefined ? fetchConversations(50, signal) : fetchConversation(conversation, signal),
    ]);
    fillModels(sections.models, m.models);
    fillCalls(sections.slowest, 'Slowest calls', 'None yet.', 'Duration', slow.calls, (c) => ms(c.value));
    fillCalls(sections.costliest, 'Most expensive calls', 'No priced calls yet.', 'Cost', cost.calls, (c) =>
      usd(c.value),
    );
    if ('conversations' in conv) fillConversationList(sections.conversations, conv.conversations);
    else fillConversation(sections.conversations, conv.conversationId, conv.traces);
    status.textContent = `${m.models.length} models · ${Math.round(performance.now() - started)} ms`;
  } catch (err) {
    if ((err as Error).name !== 'AbortError')
      status.textContent = `Cannot load LLM figures: ${(err as Error).message}`;
  }
}

/** Renders the LLM page (`/llm`, `/llm?conversation=…`). */
export function llmPage(root: HTMLElement, url: URL): () => void {
  const controller = new AbortController();
  const conversation = url.searchParams.get('conversation') ?? undefined;
  const range = rangeSelect(url, 'llm-range');
  const sections: LlmSections = {
    status: h('div', { class: 'result-status', role: 'status', 'aria-live': 'polite' }),
    models: h('section', { class: 'llm-models', 'aria-label': 'Models' }),
    slowest: h('section', { class: 'llm-top' }),
    costliest: h('section', { class: 'llm-top' }),
    conversations: h('section', { class: 'llm-conversations' }),
  };
  const load = () => loadLlmPage(sections, rangeMs(range), conversation, controller.signal);
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
      sections.status,
      sections.models,
      h('div', { class: 'llm-tops' }, sections.slowest, sections.costliest),
      sections.conversations,
    ),
  );
  void load();
  return () => controller.abort();
}
