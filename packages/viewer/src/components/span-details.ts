/**
 * Span details: status, attributes grouped by domain (http, llm, ssh, pki, db, other), the LLM
 * view, resource, events (exceptions with their stack) and links. Every value is a text node.
 */
import type { KeyValue, SpanLog } from '../api.js';
import { h } from '../dom.js';
import { attributeText, formatDuration, valueText } from '../format.js';
import { chatMessages, isLlmSpan, llmInfo, logName } from '../llm.js';
import { type SpanNode, type TraceModel, tagValue } from '../model.js';
import { llmPhasesView } from './llm-phases.js';

/** Attribute domains in display order; the first matching prefix wins. */
export const DOMAINS: { id: string; label: string; prefixes: string[] }[] = [
  { id: 'http', label: 'HTTP', prefixes: ['http.', 'url.', 'server.', 'client.', 'user_agent.', 'network.'] },
  { id: 'llm', label: 'LLM', prefixes: ['llm.', 'gen_ai.'] },
  { id: 'ssh', label: 'SSH', prefixes: ['ssh.'] },
  { id: 'pki', label: 'PKI', prefixes: ['pki.'] },
  { id: 'db', label: 'Database', prefixes: ['db.', 'redis.'] },
];

// Keys shown in the status section rather than among the attributes.
const STATUS_KEYS = new Set([
  'otel.status_code',
  'otel.status_description',
  'error',
  'span.kind',
  'internal.span.format',
]);
// Message content is shown in the LLM view as a conversation, not as a raw attribute.
const MESSAGE_KEYS = new Set(['gen_ai.input.messages', 'gen_ai.output.messages']);

/** Splits tags into domain groups (exported for tests). */
export function groupTags(tags: readonly KeyValue[]): { id: string; label: string; tags: KeyValue[] }[] {
  const groups = new Map<string, KeyValue[]>();
  for (const t of tags) {
    if (STATUS_KEYS.has(t.key) || MESSAGE_KEYS.has(t.key)) continue;
    const domain = DOMAINS.find((d) => d.prefixes.some((p) => t.key.startsWith(p)))?.id ?? 'other';
    const list = groups.get(domain) ?? [];
    list.push(t);
    groups.set(domain, list);
  }
  const order = [...DOMAINS, { id: 'other', label: 'Other', prefixes: [] }];
  return order
    .filter((d) => groups.has(d.id))
    .map((d) => ({
      id: d.id,
      label: d.label,
      tags: [...(groups.get(d.id) ?? [])].sort((a, b) => a.key.localeCompare(b.key)),
    }));
}

function kvTable(tags: readonly KeyValue[], caption?: string): HTMLTableElement {
  return h(
    'table',
    { class: 'kv' },
    caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
    h(
      'tbody',
      null,
      tags.map((t) =>
        h(
          'tr',
          { dataset: { key: t.key } },
          h('th', { scope: 'row' }, t.key),
          h('td', null, h('span', { class: `val val-${t.type ?? 'string'}` }, attributeText(t.key, t.value))),
        ),
      ),
    ),
  );
}

function section(title: string, id: string, ...body: (Node | null)[]): HTMLElement {
  return h('section', { class: 'detail-section', dataset: { section: id } }, h('h3', null, title), body);
}

function llmSection(node: SpanNode): HTMLElement {
  const info = llmInfo(node.tags, node.logs, node.startTime);
  const fact = (label: string, value: string | undefined, key: string) =>
    value === undefined
      ? null
      : h('div', { class: 'fact', dataset: { fact: key } }, h('dt', null, label), h('dd', null, value));
  const facts = h(
    'dl',
    { class: 'facts' },
    fact('Model', info.model, 'model'),
    fact('Provider', info.provider, 'provider'),
    fact('Tokens in', info.tokensIn?.toString(), 'tokens-in'),
    fact('Tokens out', info.tokensOut?.toString(), 'tokens-out'),
    fact('Total tokens', info.totalTokens?.toString(), 'tokens-total'),
    fact(
      'First chunk',
      info.firstChunkOffsetUs === undefined ? undefined : `after ${formatDuration(info.firstChunkOffsetUs)}`,
      'ttfc',
    ),
    fact('Finish reason', info.finishReason, 'finish'),
    fact('Streaming', info.streaming === undefined ? undefined : info.streaming ? 'yes' : 'no', 'streaming'),
    fact(
      'Output rate',
      info.tokensOut !== undefined && node.duration > 0
        ? `${(info.tokensOut / (node.duration / 1e6)).toFixed(1)} tokens/s`
        : undefined,
      'rate',
    ),
  );
  const convo = (label: string, value: unknown, cls: string) => {
    const msgs = chatMessages(value);
    if (msgs.length === 0) return null;
    return h(
      'div',
      { class: `messages ${cls}` },
      h('h4', null, label),
      msgs.map((m) =>
        h(
          'div',
          { class: 'message' },
          m.role ? h('div', { class: 'role' }, m.role) : null,
          h('pre', null, m.text),
        ),
      ),
    );
  };
  const input = convo('Input messages', info.inputMessages, 'input');
  const output = convo('Output messages', info.outputMessages, 'output');
  return section(
    'LLM inference',
    'llm-view',
    facts,
    llmPhasesView(node.tags, node.duration),
    input,
    output,
    !input && !output
      ? h('p', { class: 'muted' }, 'Message text was not captured (AUTOBOT_TRACE_CAPTURE_CONTENT is off).')
      : null,
  );
}

function eventItem(node: SpanNode, log: SpanLog): HTMLElement {
  const name = logName(log) || 'event';
  const fields = log.fields.filter((f) => f.key !== 'event');
  const stack = fields.find((f) => f.key === 'exception.stacktrace');
  const others = fields.filter((f) => f !== stack);
  return h(
    'li',
    { class: name === 'exception' ? 'event exception' : 'event' },
    h(
      'div',
      { class: 'event-head' },
      h('span', { class: 'event-time' }, `+${formatDuration(log.timestamp - node.startTime)}`),
      h('strong', null, name),
    ),
    others.length > 0 ? kvTable(others) : null,
    stack ? h('pre', { class: 'stack' }, valueText(stack.value)) : null,
  );
}

function fact(label: string, value: Node | string, key?: string, ddClass?: string): HTMLElement {
  return h(
    'div',
    { class: 'fact', dataset: key === undefined ? undefined : { fact: key } },
    h('dt', null, label),
    h('dd', ddClass === undefined ? null : { class: ddClass }, value),
  );
}

/** A link to another span of the trace that selects it in place (a modified click opens it normally). */
function parentLink(
  model: TraceModel,
  parent: SpanNode,
  onSelectSpan: (spanId: string) => void,
): HTMLElement {
  return h(
    'a',
    {
      href: `/trace/${encodeURIComponent(model.traceID)}?span=${encodeURIComponent(parent.spanID)}`,
      onclick: (e: MouseEvent) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        onSelectSpan(parent.spanID);
      },
    },
    parent.name,
  );
}

/** Service, duration, start, kind, status, ids and the parent link. */
function spanFacts(node: SpanNode, model: TraceModel, onSelectSpan: (spanId: string) => void): HTMLElement {
  const statusCode = String(tagValue(node.tags, 'otel.status_code') ?? (node.isError ? 'ERROR' : 'UNSET'));
  const statusMsg = tagValue(node.tags, 'otel.status_description');
  const parent = node.parentID ? model.byId.get(node.parentID) : undefined;
  return h(
    'dl',
    { class: 'facts' },
    fact('Service', node.service),
    fact('Duration', formatDuration(node.duration)),
    fact('Start', `+${formatDuration(node.startTime - model.startTime)}`),
    fact('Kind', node.kind ?? '—'),
    h(
      'div',
      { class: 'fact', dataset: { fact: 'status' } },
      h('dt', null, 'Status'),
      h(
        'dd',
        { class: node.isError ? 'status-error' : '' },
        statusCode,
        statusMsg ? `: ${valueText(statusMsg)}` : '',
      ),
    ),
    fact('Span ID', node.spanID, undefined, 'mono'),
    parent ? fact('Parent', parentLink(model, parent, onSelectSpan)) : null,
  );
}

function linksSection(node: SpanNode): HTMLElement | null {
  if (node.links.length === 0) return null;
  return section(
    'Links',
    'links',
    h(
      'ul',
      { class: 'links' },
      node.links.map((l) =>
        h(
          'li',
          null,
          h('span', { class: 'muted' }, `${l.refType} `),
          h(
            'a',
            {
              href: `/trace/${encodeURIComponent(l.traceID)}?span=${encodeURIComponent(l.spanID)}`,
              class: 'mono',
            },
            `${l.traceID} / ${l.spanID}`,
          ),
        ),
      ),
    ),
  );
}

/**
 * Renders the details panel for one span. `onClose` is called by the close button; `onSelectSpan`
 * by links to another span of the same trace (selected in place, without reloading the trace).
 */
export function spanDetails(
  node: SpanNode,
  model: TraceModel,
  onClose: () => void,
  onSelectSpan: (spanId: string) => void,
): HTMLElement {
  const resource: KeyValue[] = [
    { key: 'service.name', type: 'string', value: node.service },
    ...node.resource,
  ];
  return h(
    'aside',
    { class: 'span-details', 'aria-label': 'Span details', tabindex: '-1' },
    h(
      'header',
      { class: 'details-head' },
      h('h2', null, node.name),
      h(
        'button',
        { type: 'button', class: 'close', 'aria-label': 'Close span details', onclick: onClose },
        '×',
      ),
    ),
    spanFacts(node, model, onSelectSpan),
    isLlmSpan(node.name, node.tags) ? llmSection(node) : null,
    groupTags(node.tags).map((g) =>
      section(`${g.label} attributes`, `attrs-${g.id}`, kvTable(g.tags, g.label)),
    ),
    section('Resource', 'resource', kvTable(resource, 'Resource')),
    node.logs.length > 0
      ? section(
          `Events (${node.logs.length})`,
          'events',
          h(
            'ol',
            { class: 'events' },
            node.logs.map((log) => eventItem(node, log)),
          ),
        )
      : null,
    linksSection(node),
    node.warnings.length > 0
      ? section(
          'Warnings',
          'warnings',
          h(
            'ul',
            null,
            node.warnings.map((w) => h('li', null, w)),
          ),
        )
      : null,
  );
}
