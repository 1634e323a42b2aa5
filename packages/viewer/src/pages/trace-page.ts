/**
 * Trace page: header (copyable id, duration, services, depth, span count, exports), the line
 * naming what dominated the critical path, the waterfall and the span details panel.
 * `/trace/<id>?span=<spanId>` deep-links to a span.
 */
import { ApiError, fetchTrace, jaegerJsonUrl, otlpJsonUrl } from '../api.js';
import { serviceChip } from '../components/chips.js';
import { spanDetails } from '../components/span-details.js';
import { createWaterfall, type Waterfall } from '../components/waterfall.js';
import { criticalDominant, criticalPathWithPhases } from '../critical-summary.js';
import { h, replaceChildren } from '../dom.js';
import { formatDuration, formatTime } from '../format.js';
import { isLlmSpan } from '../llm.js';
import { buildTraceModel, type CriticalSection, type SpanNode, type TraceModel } from '../model.js';
import { setQueryParams } from '../router.js';

function stat(label: string, value: Node | string, key: string): HTMLElement {
  return h('div', { class: 'stat', dataset: { stat: key } }, h('dt', null, label), h('dd', null, value));
}

async function copyText(text: string, button: HTMLButtonElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch {
    // Clipboard API needs a secure context; 127.0.0.1 is one, other hosts may not be: select instead.
    const range = document.createRange();
    const target = button.previousElementSibling;
    if (target) {
      range.selectNodeContents(target);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
    }
    button.textContent = 'Selected — press Ctrl+C';
  }
  setTimeout(() => {
    button.textContent = 'Copy';
  }, 1500);
}

function header(model: TraceModel): HTMLElement {
  const root = model.roots[0];
  const idText = h('code', { class: 'trace-id' }, model.traceID);
  const copyBtn: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'small',
      'aria-label': 'Copy trace ID',
      onclick: () => void copyText(model.traceID, copyBtn),
    },
    'Copy',
  );
  return h(
    'header',
    { class: 'trace-header' },
    h(
      'div',
      { class: 'trace-title-row' },
      h(
        'h1',
        { class: 'trace-title' },
        root ? h('span', null, h('strong', null, root.service), ': ', root.name) : 'Empty trace',
      ),
      h(
        'div',
        { class: 'exports' },
        h(
          'a',
          {
            class: 'button small',
            href: jaegerJsonUrl(model.traceID),
            download: `trace-${model.traceID}.jaeger.json`,
          },
          'Export Jaeger JSON',
        ),
        h(
          'a',
          {
            class: 'button small',
            href: otlpJsonUrl(model.traceID),
            download: `trace-${model.traceID}.otlp.json`,
          },
          'Export OTLP JSON',
        ),
      ),
    ),
    h(
      'dl',
      { class: 'stats' },
      stat('Trace ID', h('span', { class: 'id-copy' }, idText, copyBtn), 'id'),
      stat('Start', formatTime(model.startTime), 'start'),
      stat('Duration', formatDuration(model.duration), 'duration'),
      stat('Spans', String(model.spanCount), 'spans'),
      stat('Depth', String(model.depth), 'depth'),
      stat(
        'Errors',
        h('span', { class: model.errorCount > 0 ? 'badge-error' : '' }, String(model.errorCount)),
        'errors',
      ),
      stat('Services', h('span', { class: 'chips' }, model.services.map(serviceChip)), 'services'),
    ),
  );
}

/** Poll interval while a recent trace may still be receiving spans. */
export const TRACE_LIVE_INTERVAL_MS = 2000;
/** A trace whose last span ended within this long is "recent": spans may still be on their way. */
export const TRACE_RECENT_MS = 60_000;
/** Stop polling once a recent trace has not changed for this long. */
export const TRACE_QUIET_MS = 10_000;

/** Signature of what a refresh can change: span count and extent. */
function signature(model: TraceModel): string {
  return `${model.spanCount}/${model.startTime}/${model.duration}`;
}

/**
 * The line naming what dominated the critical path ("Critical path: 71% in decode of
 * llm.inference (mistral, autobot-ai-stack)"); a click selects that span. Null for an empty trace.
 */
function criticalSummaryLine(
  model: TraceModel,
  critical: Map<string, CriticalSection[]>,
  waterfall: Waterfall,
): HTMLElement | null {
  const dominant = criticalDominant(model, critical);
  if (!dominant) return null;
  return h(
    'p',
    {
      class: 'critical-summary',
      dataset: { spanId: dominant.spanID, phase: dominant.phase ?? '' },
    },
    h('span', { class: 'legend-critical', 'aria-hidden': 'true' }),
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        title: 'Select this span',
        onclick: () => waterfall.select(dominant.spanID, true),
      },
      dominant.text,
    ),
  );
}

function toolbar(model: TraceModel, waterfall: Waterfall): HTMLElement {
  const criticalToggle = h('input', { type: 'checkbox', id: 'critical-toggle', checked: true });
  criticalToggle.addEventListener('change', () => waterfall.setCriticalPath(criticalToggle.checked));
  const hasLlm = [...model.byId.values()].some((node) => isLlmSpan(node.name, node.tags));
  return h(
    'div',
    { class: 'toolbar' },
    h('button', { type: 'button', class: 'small', onclick: () => waterfall.expandAll() }, 'Expand all'),
    h('button', { type: 'button', class: 'small', onclick: () => waterfall.collapseAll() }, 'Collapse all'),
    h('label', { class: 'check' }, criticalToggle, ' Critical path'),
    h(
      'span',
      { class: 'legend muted' },
      h('span', { class: 'legend-critical', 'aria-hidden': 'true' }),
      ' critical path  ',
      ...(hasLlm ? [h('span', { class: 'legend-ttfc', 'aria-hidden': 'true' }), ' LLM first chunk  '] : []),
      h('span', { class: 'wf-error-mark', 'aria-hidden': 'true' }, '!'),
      ' error',
    ),
  );
}

/**
 * Draws one version of the trace (a live refresh draws it again) and returns what undoes it:
 * the waterfall's observers and the Escape key handler.
 */
function renderTrace(
  root: HTMLElement,
  url: URL,
  liveStatus: HTMLElement,
  model: TraceModel,
  t0: number,
): () => void {
  const critical = criticalPathWithPhases(model);
  const detailsHolder = h('div', { class: 'details-holder', hidden: true });
  const closeDetails = () => waterfall.select(undefined);
  const showDetails = (node: SpanNode | undefined) => {
    setQueryParams({ span: node?.spanID });
    if (!node) {
      detailsHolder.hidden = true;
      detailsHolder.replaceChildren();
      layout.classList.remove('with-details');
      return;
    }
    replaceChildren(
      detailsHolder,
      spanDetails(node, model, closeDetails, (id) => waterfall.select(id, true)),
    );
    detailsHolder.hidden = false;
    layout.classList.add('with-details');
  };
  const waterfall = createWaterfall({ model, critical, onSelect: showDetails });
  const layout = h(
    'div',
    { class: 'trace-layout' },
    h(
      'div',
      { class: 'waterfall-holder' },
      criticalSummaryLine(model, critical, waterfall),
      toolbar(model, waterfall),
      waterfall.element,
    ),
    detailsHolder,
  );
  replaceChildren(
    root,
    h('div', { class: 'trace-page', dataset: { traceId: model.traceID } }, header(model), liveStatus, layout),
  );
  root.dataset.renderMs = String(Math.round(performance.now() - t0));

  // The selected span survives a refresh (it is in the URL).
  const wanted = new URL(location.href).searchParams.get('span') ?? url.searchParams.get('span');
  if (wanted && model.byId.has(wanted)) waterfall.select(wanted, true);
  else waterfall.refresh();

  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && !detailsHolder.hidden) closeDetails();
  };
  document.addEventListener('keydown', onKey);
  return () => {
    waterfall.destroy();
    document.removeEventListener('keydown', onKey);
  };
}

const isRecent = (model: TraceModel) =>
  Date.now() - (model.startTime + model.duration) / 1000 < TRACE_RECENT_MS;

/**
 * Spans of a trace arrive over several export batches (each service flushes on its own
 * schedule), so a trace opened right after the request may be incomplete: poll while it is
 * recent and still changing, and say so in `liveStatus`.
 */
function livePoll(
  traceId: string,
  root: HTMLElement,
  liveStatus: HTMLElement,
  signal: AbortSignal,
  render: (model: TraceModel, t0: number) => void,
): { start(model: TraceModel): void; stop(): void } {
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  const poll = (current: TraceModel, lastChange: number) => {
    if (signal.aborted) return;
    if (!isRecent(current) && Date.now() - lastChange >= TRACE_QUIET_MS) {
      liveStatus.textContent = '';
      liveStatus.hidden = true;
      delete root.dataset.live;
      return;
    }
    if (Date.now() - lastChange >= TRACE_QUIET_MS) {
      liveStatus.textContent = `Complete: no new spans for ${TRACE_QUIET_MS / 1000} s.`;
      delete root.dataset.live;
      return;
    }
    liveStatus.hidden = false;
    liveStatus.textContent = `Receiving spans — this trace is recent and may still be arriving; the page updates itself (${current.spanCount} so far).`;
    root.dataset.live = 'on';
    pollTimer = setTimeout(async () => {
      try {
        const next = buildTraceModel(await fetchTrace(traceId, signal));
        if (signature(next) !== signature(current)) {
          render(next, performance.now());
          poll(next, Date.now());
        } else {
          poll(current, lastChange);
        }
      } catch (err) {
        if ((err as Error).name === 'AbortError') return;
        poll(current, lastChange); // a failed refresh is retried; the page keeps what it shows
      }
    }, TRACE_LIVE_INTERVAL_MS);
  };
  return {
    start: (model) => poll(model, Date.now()),
    stop: () => {
      if (pollTimer) clearTimeout(pollTimer);
    },
  };
}

/** Fetches and builds the trace; on failure shows why (not found, or the error) and returns undefined. */
async function loadTrace(
  traceId: string,
  root: HTMLElement,
  signal: AbortSignal,
): Promise<TraceModel | undefined> {
  try {
    return buildTraceModel(await fetchTrace(traceId, signal));
  } catch (err) {
    if ((err as Error).name === 'AbortError') return undefined;
    const msg =
      err instanceof ApiError && err.status === 404
        ? `Trace ${traceId} was not found.`
        : (err as Error).message;
    replaceChildren(
      root,
      h(
        'div',
        { class: 'notice error', role: 'alert' },
        h('p', null, msg),
        h('a', { href: '/search' }, 'Back to search'),
      ),
    );
    return undefined;
  }
}

/** Renders the trace page. */
export function tracePage(root: HTMLElement, url: URL): () => void {
  const traceId = decodeURIComponent(url.pathname.replace(/^\/trace\//, '').replace(/\/$/, ''));
  const controller = new AbortController();
  let cleanupRender: (() => void) | undefined;
  replaceChildren(root, h('p', { class: 'loading', role: 'status' }, `Loading trace ${traceId}…`));
  document.title = `Trace ${traceId} — AutoBot Traces`;
  const liveStatus = h('p', { class: 'trace-live muted', role: 'status', 'aria-live': 'polite' });
  const render = (model: TraceModel, t0: number) => {
    cleanupRender?.();
    cleanupRender = renderTrace(root, url, liveStatus, model, t0);
  };
  const live = livePoll(traceId, root, liveStatus, controller.signal, render);
  const t0 = performance.now();
  void loadTrace(traceId, root, controller.signal).then((model) => {
    if (!model) return;
    render(model, t0);
    liveStatus.hidden = true;
    if (isRecent(model)) live.start(model);
  });

  return () => {
    controller.abort();
    live.stop();
    cleanupRender?.();
    document.title = 'AutoBot Traces';
  };
}
