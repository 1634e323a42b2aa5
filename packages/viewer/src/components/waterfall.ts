/**
 * The trace waterfall: a collapsible span tree beside bars drawn to scale, a time ruler, error
 * marks, the critical path and the LLM first-chunk marker. Rows are virtualised: only the rows
 * in view (plus a margin) exist in the DOM, so a 10,000-span trace costs ~50 row elements.
 */
import { serviceColor } from '../colors.js';
import { PHASE_NAMES } from '../critical-summary.js';
import { h } from '../dom.js';
import { formatDuration } from '../format.js';
import { llmInfo } from '../llm.js';
import { type CriticalSection, type SpanNode, type TraceModel, visibleSpans } from '../model.js';

/** Height of one row in px (fixed, which is what makes virtualisation cheap). */
export const ROW_HEIGHT = 26;
const OVERSCAN = 12;
const INDENT_PX = 14;
const MAX_INDENT_LEVELS = 30;

/** Options of {@link createWaterfall}. */
export interface WaterfallOptions {
  model: TraceModel;
  critical: Map<string, CriticalSection[]>;
  onSelect: (span: SpanNode | undefined) => void;
  selectedId?: string;
}

/** The waterfall's handle: its element and the operations the page needs. */
export interface Waterfall {
  element: HTMLElement;
  select(spanId: string | undefined, scroll?: boolean): void;
  expandAll(): void;
  collapseAll(): void;
  setCriticalPath(on: boolean): void;
  /** Re-measures the viewport (call after layout changes). */
  refresh(): void;
  /** Stops observing the viewport. */
  destroy(): void;
}

/** Ruler tick positions (fractions) and labels for a trace duration. */
export function rulerTicks(durationUs: number, count = 5): { frac: number; label: string }[] {
  const out: { frac: number; label: string }[] = [];
  for (let i = 0; i < count; i++) {
    const frac = i / (count - 1);
    out.push({ frac, label: formatDuration(durationUs * frac) });
  }
  return out;
}

/** Builds the waterfall. */
export function createWaterfall(opts: WaterfallOptions): Waterfall {
  const { model } = opts;
  const collapsed = new Set<string>();
  let rows: SpanNode[] = visibleSpans(model, collapsed);
  let indexOf = new Map<string, number>();
  let selectedId = opts.selectedId;
  let showCritical = true;
  const total = model.duration || 1;

  const ruler = h(
    'div',
    { class: 'wf-ruler', 'aria-hidden': 'true' },
    h('div', { class: 'wf-name-col wf-ruler-name' }, 'Service: operation'),
    h(
      'div',
      { class: 'wf-time-col' },
      rulerTicks(model.duration).map((t) =>
        h(
          'span',
          { class: `wf-tick${t.frac === 1 ? ' last' : ''}`, style: { left: `${t.frac * 100}%` } },
          t.label,
        ),
      ),
    ),
  );
  const spacer = h('div', { class: 'wf-spacer' });
  const rowsLayer = h('div', { class: 'wf-rows' });
  const viewport = h(
    'div',
    {
      class: 'wf-viewport',
      tabindex: '0',
      role: 'tree',
      'aria-label': `Span tree, ${model.spanCount} spans. Arrow keys move, left and right collapse and expand, Enter selects.`,
    },
    spacer,
    rowsLayer,
  );
  const element = h('div', { class: 'waterfall' }, ruler, viewport);

  function reindex(): void {
    indexOf = new Map(rows.map((r, i) => [r.spanID, i]));
    const height = `${rows.length * ROW_HEIGHT}px`;
    spacer.style.height = height;
    viewport.dataset.rows = String(rows.length);
    // Rows still placed below the new end must not keep the old scroll height alive.
    rowsLayer.style.height = height;
    const maxTop = Math.max(0, rows.length * ROW_HEIGHT - viewport.clientHeight);
    if (viewport.scrollTop > maxTop) viewport.scrollTop = maxTop;
  }
  reindex();

  function pct(us: number): string {
    return `${Math.max(0, Math.min(100, ((us - model.startTime) / total) * 100))}%`;
  }

  function renderRow(node: SpanNode, index: number): HTMLElement {
    const hasChildren = node.children.length > 0;
    const isCollapsed = collapsed.has(node.spanID);
    const color = serviceColor(node.service);
    const indent = Math.min(node.depth, MAX_INDENT_LEVELS) * INDENT_PX;
    return h(
      'div',
      {
        class: `wf-row${node.spanID === selectedId ? ' selected' : ''}${node.isError ? ' error' : ''}`,
        role: 'treeitem',
        id: `span-${node.spanID}`,
        'aria-level': String(node.depth + 1),
        'aria-expanded': hasChildren ? String(!isCollapsed) : undefined,
        'aria-selected': String(node.spanID === selectedId),
        dataset: { spanId: node.spanID, name: node.name },
        style: { top: `${index * ROW_HEIGHT}px` },
        onclick: () => select(node.spanID),
      },
      h(
        'div',
        { class: 'wf-name-col', style: { 'padding-left': `${indent + 4}px` } },
        hasChildren
          ? toggleButton(node, isCollapsed, () => toggleNode(node.spanID))
          : h('span', { class: 'wf-toggle-space' }),
        h('span', { class: 'wf-svc-mark', style: { background: color }, 'aria-hidden': 'true' }),
        node.isError ? h('span', { class: 'wf-error-mark', title: 'error' }, '!') : null,
        h('span', { class: 'wf-svc' }, node.service),
        h('span', { class: 'wf-op' }, node.name),
        hasChildren && isCollapsed
          ? h('span', { class: 'wf-hidden-count' }, `+${countDescendants(node)}`)
          : null,
      ),
      h(
        'div',
        { class: 'wf-time-col' },
        spanBar(node, color, showCritical ? opts.critical.get(node.spanID) : undefined),
        durationLabel(node),
      ),
    );
  }

  /** The span's bar to scale, with its critical-path sections and the LLM first-chunk mark. */
  function spanBar(node: SpanNode, color: string, sections: CriticalSection[] | undefined): HTMLElement {
    const bar = h('div', {
      class: 'wf-bar',
      style: {
        left: pct(node.startTime),
        width: `max(2px, ${(node.duration / total) * 100}%)`,
        background: color,
      },
    });
    if (node.duration <= 0) return bar;
    for (const sec of sections ?? []) {
      const phase = sec.phase;
      bar.append(
        h('div', {
          class: phase === undefined ? 'wf-critical' : `wf-critical phase-${phase}`,
          title: phase === undefined ? 'critical path' : `critical path: ${PHASE_NAMES[phase] ?? phase}`,
          dataset: phase === undefined ? undefined : { phase },
          style: {
            left: `${((sec.start - node.startTime) / node.duration) * 100}%`,
            width: `${((sec.end - sec.start) / node.duration) * 100}%`,
          },
        }),
      );
    }
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

  /** The duration beside the bar, or before it when the bar starts in the last fifth. */
  function durationLabel(node: SpanNode): HTMLElement {
    const labelLeft = (node.startTime - model.startTime) / total > 0.8;
    return h(
      'span',
      {
        class: `wf-dur${labelLeft ? ' left' : ''}`,
        style: labelLeft
          ? { right: `calc(${100 - parseFloat(pct(node.startTime))}% + 4px)` }
          : { left: `calc(${pct(node.startTime + node.duration)} + 4px)` },
      },
      formatDuration(node.duration),
    );
  }

  let lastRange = '';
  function draw(force = false): void {
    const height = viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((viewport.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    const key = `${first}:${last}`;
    if (!force && key === lastRange) return;
    lastRange = key;
    const frag = document.createDocumentFragment();
    for (let i = first; i < last; i++) frag.append(renderRow(rows[i] as SpanNode, i));
    rowsLayer.replaceChildren(frag);
    if (selectedId && indexOf.has(selectedId))
      viewport.setAttribute('aria-activedescendant', `span-${selectedId}`);
    else viewport.removeAttribute('aria-activedescendant');
  }

  let frame = 0;
  viewport.addEventListener('scroll', () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      draw();
    });
  });

  function scrollIntoView(index: number): void {
    const top = index * ROW_HEIGHT;
    const height = viewport.clientHeight || 600;
    if (top < viewport.scrollTop) viewport.scrollTop = top;
    else if (top + ROW_HEIGHT > viewport.scrollTop + height) viewport.scrollTop = top + ROW_HEIGHT - height;
  }

  function select(spanId: string | undefined, scroll = false): void {
    selectedId = spanId;
    if (spanId && !indexOf.has(spanId)) {
      // Selecting a hidden span (deep link): expand its ancestors.
      let node = model.byId.get(spanId);
      while (node?.parentID) {
        collapsed.delete(node.parentID);
        node = model.byId.get(node.parentID);
      }
      rows = visibleSpans(model, collapsed);
      reindex();
    }
    if (scroll && spanId) {
      const i = indexOf.get(spanId);
      if (i !== undefined) scrollIntoView(i);
    }
    draw(true);
    opts.onSelect(spanId ? model.byId.get(spanId) : undefined);
  }

  function toggleNode(spanId: string, expand?: boolean): void {
    const isCollapsed = collapsed.has(spanId);
    if (expand === true && !isCollapsed) return;
    if (expand === false && isCollapsed) return;
    if (isCollapsed) collapsed.delete(spanId);
    else collapsed.add(spanId);
    rows = visibleSpans(model, collapsed);
    reindex();
    draw(true);
  }

  viewport.addEventListener('keydown', (e: KeyboardEvent) => {
    const i = selectedId !== undefined ? (indexOf.get(selectedId) ?? -1) : -1;
    const node = i >= 0 ? rows[i] : undefined;
    const page = Math.max(1, Math.floor((viewport.clientHeight || 600) / ROW_HEIGHT) - 1);
    let target: number | undefined;
    switch (e.key) {
      case 'ArrowDown':
        target = Math.min(rows.length - 1, i + 1);
        break;
      case 'ArrowUp':
        target = Math.max(0, i - 1);
        break;
      case 'PageDown':
        target = Math.min(rows.length - 1, i + page);
        break;
      case 'PageUp':
        target = Math.max(0, i - page);
        break;
      case 'Home':
        target = 0;
        break;
      case 'End':
        target = rows.length - 1;
        break;
      case 'ArrowRight':
        if (node && node.children.length > 0) {
          if (collapsed.has(node.spanID)) toggleNode(node.spanID, true);
          else target = i + 1;
        }
        break;
      case 'ArrowLeft':
        if (node) {
          if (node.children.length > 0 && !collapsed.has(node.spanID)) toggleNode(node.spanID, false);
          else if (node.parentID && indexOf.has(node.parentID)) target = indexOf.get(node.parentID);
        }
        break;
      case 'Enter':
      case ' ':
        if (node && node.children.length > 0) toggleNode(node.spanID);
        break;
      default:
        return;
    }
    e.preventDefault();
    const targetRow = target === undefined ? undefined : rows[target];
    if (targetRow) select(targetRow.spanID, true);
  });

  // Lay out once the element is in the document.
  const ro = new ResizeObserver(() => draw(true));
  ro.observe(viewport);

  return {
    element,
    select,
    expandAll() {
      collapsed.clear();
      rows = visibleSpans(model, collapsed);
      reindex();
      draw(true);
    },
    collapseAll() {
      for (const n of model.byId.values()) if (n.children.length > 0 && n.depth >= 0) collapsed.add(n.spanID);
      for (const r of model.roots) collapsed.delete(r.spanID);
      rows = visibleSpans(model, collapsed);
      reindex();
      if (selectedId && !indexOf.has(selectedId)) selectedId = undefined;
      draw(true);
    },
    setCriticalPath(on: boolean) {
      showCritical = on;
      draw(true);
    },
    refresh() {
      draw(true);
    },
    destroy() {
      ro.disconnect();
      if (frame) cancelAnimationFrame(frame);
    },
  };
}

const descendantCache = new WeakMap<SpanNode, number>();
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
