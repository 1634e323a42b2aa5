/**
 * Trace page: header (copyable id, duration, services, depth, span count, exports), the
 * waterfall and the span details panel. `/trace/<id>?span=<spanId>` deep-links to a span.
 */
import { ApiError, fetchTrace, jaegerJsonUrl, otlpJsonUrl } from '../api.js';
import { serviceChip } from '../components/chips.js';
import { spanDetails } from '../components/span-details.js';
import { createWaterfall } from '../components/waterfall.js';
import { h, replaceChildren } from '../dom.js';
import { formatDuration, formatTime } from '../format.js';
import { buildTraceModel, criticalPath, type SpanNode, type TraceModel } from '../model.js';
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

/** Renders the trace page. */
export function tracePage(root: HTMLElement, url: URL): () => void {
  const traceId = decodeURIComponent(url.pathname.replace(/^\/trace\//, '').replace(/\/$/, ''));
  const controller = new AbortController();
  let cleanupWaterfall: (() => void) | undefined;
  let onKey: ((e: KeyboardEvent) => void) | undefined;
  replaceChildren(root, h('p', { class: 'loading', role: 'status' }, `Loading trace ${traceId}…`));
  document.title = `Trace ${traceId} — AutoBot Traces`;

  (async () => {
    let model: TraceModel;
    const t0 = performance.now();
    try {
      const trace = await fetchTrace(traceId, controller.signal);
      model = buildTraceModel(trace);
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
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
      return;
    }
    const critical = criticalPath(model);
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
    cleanupWaterfall = () => waterfall.destroy();
    const criticalToggle = h('input', { type: 'checkbox', id: 'critical-toggle', checked: true });
    criticalToggle.addEventListener('change', () => waterfall.setCriticalPath(criticalToggle.checked));
    const toolbar = h(
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
        h('span', { class: 'legend-ttfc', 'aria-hidden': 'true' }),
        ' LLM first chunk  ',
        h('span', { class: 'wf-error-mark', 'aria-hidden': 'true' }, '!'),
        ' error',
      ),
    );
    const layout = h(
      'div',
      { class: 'trace-layout' },
      h('div', { class: 'waterfall-holder' }, toolbar, waterfall.element),
      detailsHolder,
    );
    replaceChildren(
      root,
      h('div', { class: 'trace-page', dataset: { traceId: model.traceID } }, header(model), layout),
    );
    root.dataset.renderMs = String(Math.round(performance.now() - t0));

    const wanted = url.searchParams.get('span');
    if (wanted && model.byId.has(wanted)) waterfall.select(wanted, true);
    else waterfall.refresh();

    onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !detailsHolder.hidden) closeDetails();
    };
    document.addEventListener('keydown', onKey);
  })();

  return () => {
    controller.abort();
    cleanupWaterfall?.();
    if (onKey) document.removeEventListener('keydown', onKey);
    document.title = 'AutoBot Traces';
  };
}
