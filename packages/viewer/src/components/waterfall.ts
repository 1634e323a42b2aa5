/**
 * The trace waterfall: a collapsible span tree beside bars drawn to scale, a time ruler, error
 * marks, the critical path and the LLM first-chunk marker. Rows are virtualised: only the rows
 * in view (plus a margin) exist in the DOM, so a 10,000-span trace costs ~50 row elements.
 * The rows themselves are drawn by `waterfall-row.ts`.
 */
import { h } from '../dom.js';
import { formatDuration } from '../format.js';
import { type CriticalSection, type SpanNode, type TraceModel, visibleSpans } from '../model.js';
import { ROW_HEIGHT, renderRow } from './waterfall-row.js';

const OVERSCAN = 12;

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

/** The waterfall's mutable state and the elements it draws into. */
interface State {
  opts: WaterfallOptions;
  model: TraceModel;
  collapsed: Set<string>;
  rows: SpanNode[];
  indexOf: Map<string, number>;
  selectedId: string | undefined;
  showCritical: boolean;
  /** The row range last drawn, `first:last`: scrolling within it draws nothing. */
  lastRange: string;
  spacer: HTMLElement;
  rowsLayer: HTMLElement;
  viewport: HTMLElement;
}

function ruler(model: TraceModel): HTMLElement {
  return h(
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
}

function createState(opts: WaterfallOptions): State {
  const { model } = opts;
  const collapsed = new Set<string>();
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
  return {
    opts,
    model,
    collapsed,
    rows: visibleSpans(model, collapsed),
    indexOf: new Map(),
    selectedId: opts.selectedId,
    showCritical: true,
    lastRange: '',
    spacer,
    rowsLayer,
    viewport,
  };
}

/** Recomputes the visible rows (after a collapse or expand) and sizes the scroll area. */
function reindex(st: State, recompute = true): void {
  if (recompute) st.rows = visibleSpans(st.model, st.collapsed);
  st.indexOf = new Map(st.rows.map((r, i) => [r.spanID, i]));
  const height = `${st.rows.length * ROW_HEIGHT}px`;
  st.spacer.style.height = height;
  st.viewport.dataset.rows = String(st.rows.length);
  // Rows still placed below the new end must not keep the old scroll height alive.
  st.rowsLayer.style.height = height;
  const maxTop = Math.max(0, st.rows.length * ROW_HEIGHT - st.viewport.clientHeight);
  if (st.viewport.scrollTop > maxTop) st.viewport.scrollTop = maxTop;
}

/** Draws the rows in view (plus the overscan); unless forced, only when that range changed. */
function draw(st: State, force = false): void {
  const { viewport } = st;
  const height = viewport.clientHeight || 600;
  const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(st.rows.length, Math.ceil((viewport.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const key = `${first}:${last}`;
  if (!force && key === st.lastRange) return;
  st.lastRange = key;
  const ctx = {
    model: st.model,
    collapsed: st.collapsed,
    selectedId: st.selectedId,
    critical: st.showCritical ? st.opts.critical : undefined,
    onSelect: (id: string) => select(st, id),
    onToggle: (id: string) => toggleNode(st, id),
  };
  const frag = document.createDocumentFragment();
  for (let i = first; i < last; i++) frag.append(renderRow(st.rows[i] as SpanNode, i, ctx));
  st.rowsLayer.replaceChildren(frag);
  if (st.selectedId && st.indexOf.has(st.selectedId))
    viewport.setAttribute('aria-activedescendant', `span-${st.selectedId}`);
  else viewport.removeAttribute('aria-activedescendant');
}

function scrollIntoView(st: State, index: number): void {
  const { viewport } = st;
  const top = index * ROW_HEIGHT;
  const height = viewport.clientHeight || 600;
  if (top < viewport.scrollTop) viewport.scrollTop = top;
  else if (top + ROW_HEIGHT > viewport.scrollTop + height) viewport.scrollTop = top + ROW_HEIGHT - height;
}

function select(st: State, spanId: string | undefined, scroll = false): void {
  st.selectedId = spanId;
  if (spanId && !st.indexOf.has(spanId)) {
    // Selecting a hidden span (deep link): expand its ancestors.
    let node = st.model.byId.get(spanId);
    while (node?.parentID) {
      st.collapsed.delete(node.parentID);
      node = st.model.byId.get(node.parentID);
    }
    reindex(st);
  }
  if (scroll && spanId) {
    const i = st.indexOf.get(spanId);
    if (i !== undefined) scrollIntoView(st, i);
  }
  draw(st, true);
  st.opts.onSelect(spanId ? st.model.byId.get(spanId) : undefined);
}

/** Collapses or expands a span (`expand` forces one way; a no-op when already so). */
function toggleNode(st: State, spanId: string, expand?: boolean): void {
  const isCollapsed = st.collapsed.has(spanId);
  if (expand === true && !isCollapsed) return;
  if (expand === false && isCollapsed) return;
  if (isCollapsed) st.collapsed.delete(spanId);
  else st.collapsed.add(spanId);
  reindex(st);
  draw(st, true);
}

/**
 * What a key does in the tree: the row index to select (undefined when the key only toggled a
 * span, or did nothing), or null when the key is not the tree's (the browser keeps it).
 */
function keyTarget(st: State, key: string): number | undefined | null {
  const { rows, collapsed, indexOf } = st;
  const i = st.selectedId !== undefined ? (indexOf.get(st.selectedId) ?? -1) : -1;
  const node = i >= 0 ? rows[i] : undefined;
  const page = Math.max(1, Math.floor((st.viewport.clientHeight || 600) / ROW_HEIGHT) - 1);
  const hasChildren = node !== undefined && node.children.length > 0;
  switch (key) {
    case 'ArrowDown':
      return Math.min(rows.length - 1, i + 1);
    case 'ArrowUp':
      return Math.max(0, i - 1);
    case 'PageDown':
      return Math.min(rows.length - 1, i + page);
    case 'PageUp':
      return Math.max(0, i - page);
    case 'Home':
      return 0;
    case 'End':
      return rows.length - 1;
    case 'ArrowRight':
      if (node && hasChildren) {
        if (collapsed.has(node.spanID)) toggleNode(st, node.spanID, true);
        else return i + 1;
      }
      return undefined;
    case 'ArrowLeft':
      if (node) {
        if (hasChildren && !collapsed.has(node.spanID)) toggleNode(st, node.spanID, false);
        else if (node.parentID && indexOf.has(node.parentID)) return indexOf.get(node.parentID);
      }
      return undefined;
    case 'Enter':
    case ' ':
      if (node && hasChildren) toggleNode(st, node.spanID);
      return undefined;
    default:
      return null;
  }
}

function onKeyDown(st: State, e: KeyboardEvent): void {
  const target = keyTarget(st, e.key);
  if (target === null) return;
  e.preventDefault();
  const targetRow = target === undefined ? undefined : st.rows[target];
  if (targetRow) select(st, targetRow.spanID, true);
}

/** Builds the waterfall. */
export function createWaterfall(opts: WaterfallOptions): Waterfall {
  const st = createState(opts);
  const element = h('div', { class: 'waterfall' }, ruler(opts.model), st.viewport);
  reindex(st, false);

  let frame = 0;
  st.viewport.addEventListener('scroll', () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      draw(st);
    });
  });
  st.viewport.addEventListener('keydown', (e: KeyboardEvent) => onKeyDown(st, e));
  // Lay out once the element is in the document.
  const ro = new ResizeObserver(() => draw(st, true));
  ro.observe(st.viewport);

  return {
    element,
    select: (spanId, scroll = false) => select(st, spanId, scroll),
    expandAll() {
      st.collapsed.clear();
      reindex(st);
      draw(st, true);
    },
    collapseAll() {
      for (const n of st.model.byId.values())
        if (n.children.length > 0 && n.depth >= 0) st.collapsed.add(n.spanID);
      for (const r of st.model.roots) st.collapsed.delete(r.spanID);
      reindex(st);
      if (st.selectedId && !st.indexOf.has(st.selectedId)) st.selectedId = undefined;
      draw(st, true);
    },
    setCriticalPath(on: boolean) {
      st.showCritical = on;
      draw(st, true);
    },
    refresh() {
      draw(st, true);
    },
    destroy() {
      ro.disconnect();
      if (frame) cancelAnimationFrame(frame);
    },
  };
}
