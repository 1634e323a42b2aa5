/**
 * One row of the trace waterfall: the span's name column (indent, toggle, service mark, error
 * mark, hidden-descendant count) and its bar to scale with the critical-path sections (split
 * by phase on LLM calls), the LLM first-chunk marker and the duration label.
 */
import { serviceColor } from '../colors.js';
import { PHASE_NAMES } from '../critical-summary.js';
import { h } from '../dom.js';
import { formatDuration } from '../format.js';
import { llmInfo } from '../llm.js';
import type { CriticalSection, SpanNode, TraceModel } from '../model.js';

/** Height of one row in px (fixed, which is what makes virtualisation cheap). */
export const ROW_HEIGHT = 26;
const INDENT_PX = 14;
const MAX_INDENT_LEVELS = 30;

/** What a row needs to know about the waterfall's state. */
export interface RowContext {
  model: TraceModel;
  collapsed: ReadonlySet<string>;
  selectedId: string | undefined;
  /** Critical sections per span; undefined while the critical path is hidden. */
  critical: ReadonlyMap<string, readonly CriticalSection[]> | undefined;
  onSelect(spanId: string): void;
  onToggle(spanId: string): void;
}

/** Horizontal position of a time (µs) in the trace, as a CSS percentage clamped to 0–100%. */
function pct(model: TraceModel, us: number): string {
  return `${Math.max(0, Math.min(100, ((us - model.startTime) / (model.duration || 1)) * 100))}%`;
}

/** The row of `node` at `index` (its `top` is `index` rows down). */
export function renderRow(node: SpanNode, index: number, ctx: RowContext): HTMLElement {
  const hasChildren = node.children.length > 0;
  const isCollapsed = ctx.collapsed.has(node.spanID);
  const selected = node.spanID === ctx.selectedId;
  const color = serviceColor(node.service);
  return h(
    'div',
    {
      class: `wf-row${selected ? ' selected' : ''}${node.isError ? ' error' : ''}`,
      role: 'treeitem',
      id: `span-${node.spanID}`,
      'aria-level': String(node.depth + 1),
      'aria-expanded': hasChildren ? String(!isCollapsed) : undefined,
      'aria-selected': String(selected),
      dataset: { spanId: node.spanID, name: node.name },
      style: { top: `${index * ROW_HEIGHT}px` },
      onclick: () => ctx.onSelect(node.spanID),
    },
    nameColumn(node, color, isCollapsed, ctx),
    h(
      'div',
      { class: 'wf-time-col' },
      spanBar(ctx.model, node, color, ctx.critical?.get(node.spanID)),
      durationLabel(ctx.model, node),
    ),
  );
}

function nameColumn(node: SpanNode, color: string, isCollapsed: boolean, ctx: RowContext): HTMLElement {
  const hasChildren = node.children.length > 0;
  const indent = Math.min(node.depth, MAX_INDENT_LEVELS) * INDENT_PX;
  return h(
    'div',
    { class: 'wf-name-col', style: { 'padding-left': `${indent + 4}px` } },
    hasChildren
      ? toggleButton(node, isCollapsed, () => ctx.onToggle(node.spanID))
      : h('span', { class: 'wf-toggle-space' }),
    h('span', { class: 'wf-svc-mark', style: { background: color }, 'aria-hidden': 'true' }),
    node.isError ? h('span', { class: 'wf-error-mark', title: 'error' }, '!') : null,
    h('span', { class: 'wf-svc' }, node.service),
    h('span', { class: 'wf-op' }, node.name),
    hasChildren && isCollapsed ? h('span', { class: 'wf-hidden-count' }, `+${countDescendants(node)}`) : null,
  );
}

/** The span's bar to scale, with its critical-path sections and the LLM first-chunk mark. */
function spanBar(
  model: TraceModel,
  node: SpanNode,
  color: string,
  sections: readonly CriticalSection[] | undefined,
): HTMLElement {
  const bar = h('div', {
    class: 'wf-bar',
    style: {
      left: pct(model, node.startTime),
      width: `max(2px, ${(node.duration / (model.duration || 1)) * 100}%)`,
      background: color,
    },
  });
  if (node.duration <= 0) return bar;
  for (const sec of sections ?? []) bar.append(criticalMark(node, sec));
  const firstChunkUs =
    node.name === 'llm.inference'
      ? llmInfo(node.tags, node.logs, node.startTime).firstChunkOffsetUs
      : undefined;
  if (firstChunkUs !== undefined) {
    const f = Math.max(0, Math.min(1, firstChunkUs / node.duration));
    bar.append(
      h('div', {
        class: 'wf-ttfc',
        title: `first chunk after ${formatDuration(firstChunkUs)}`,
        style: { left: `${f * 100}%` },
      }),
    );
  }
  return bar;
}

/** One critical section over the bar; on an LLM call, in its phase's colour. */
function criticalMark(node: SpanNode, sec: CriticalSection): HTMLElement {
  const phase = sec.phase;
  return h('div', {
    class: phase === undefined ? 'wf-critical' : `wf-critical phase-${phase}`,
    title: phase === undefined ? 'critical path' : `critical path: ${PHASE_NAMES[phase] ?? phase}`,
    dataset: phase === undefined ? undefined : { phase },
    style: {
      left: `${((sec.start - node.startTime) / node.duration) * 100}%`,
      width: `${((sec.end - sec.start) / node.duration) * 100}%`,
    },
  });
}

/** The duration beside the bar, or before it when the bar starts in the last fifth. */
function durationLabel(model: TraceModel, node: SpanNode): HTMLElement {
  const labelLeft = (node.startTime - model.startTime) / (model.duration || 1) > 0.8;
  return h(
    'span',
    {
      class: `wf-dur${labelLeft ? ' left' : ''}`,
      style: labelLeft
        ? { right: `calc(${100 - parseFloat(pct(model, node.startTime))}% + 4px)` }
        : { left: `calc(${pct(model, node.startTime + node.duration)} + 4px)` },
    },
    formatDuration(node.duration),
  );
}

function toggleButton(node: SpanNode, isCollapsed: boolean, onToggle: () => void): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'wf-toggle',
      tabindex: '-1',
      'aria-label': isCollapsed ? `Expand ${node.name}` : `Collapse ${node.name}`,
      onclick: (e: Event) => {
        e.stopPropagation();
        onToggle();
      },
    },
    isCollapsed ? '▸' : '▾',
  );
}

const descendantCache = new WeakMap<SpanNode, number>();
function countDescendants(node: SpanNode): number {
  const cached = descendantCache.get(node);
  if (cached !== undefined) return cached;
  let count = 0;
  const stack = [...node.children];
  while (stack.length > 0) {
    const n = stack.pop() as SpanNode;
    count++;
    for (const c of n.children) stack.push(c);
  }
  descendantCache.set(node, count);
  return count;
}
