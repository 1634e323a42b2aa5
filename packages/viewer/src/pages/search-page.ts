/**
 * Search page: service/operation pickers, query box with example chips and column-accurate
 * syntax errors, duration and time filters, a scatter plot and the result list. Live mode
 * re-runs the search every few seconds; new traces are highlighted.
 */
import { ApiError, fetchOperations, fetchServices, searchTraces, type TraceSummary } from '../api.js';
import { serviceChip } from '../components/chips.js';
import { scatterPlot } from '../components/scatter-plot.js';
import { h, replaceChildren } from '../dom.js';
import { formatDuration, formatTime, parseDuration } from '../format.js';
import { type ComposedQuery, composeQuery, EXAMPLE_QUERIES } from '../query.js';
import { navigate, setQueryParams } from '../router.js';

/** Poll interval of live mode. */
export const LIVE_INTERVAL_MS = 5000;

const LOOKBACKS: [string, string, number][] = [
  ['5m', 'Last 5 minutes', 5 * 60e6],
  ['15m', 'Last 15 minutes', 15 * 60e6],
  ['1h', 'Last hour', 3600e6],
  ['6h', 'Last 6 hours', 6 * 3600e6],
  ['24h', 'Last 24 hours', 24 * 3600e6],
  ['7d', 'Last 7 days', 7 * 24 * 3600e6],
  ['custom', 'Custom range', 0],
];

function toLocalInput(us: number): string {
  const d = new Date(us / 1000 - new Date().getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** Renders the search page. */
export function searchPage(root: HTMLElement, url: URL): () => void {
  const params = url.searchParams;
  const controller = new AbortController();
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let searchSeq = 0;
  let seen = new Set<string>();
  let firstResult = true;

  const serviceSelect = h(
    'select',
    { id: 'f-service', name: 'service' },
    h('option', { value: '' }, 'All services'),
  );
  const operationSelect = h(
    'select',
    { id: 'f-operation', name: 'operation' },
    h('option', { value: '' }, 'All operations'),
  );
  const queryInput = h('input', {
    id: 'f-query',
    name: 'q',
    type: 'text',
    class: 'query-input',
    placeholder: 'e.g. llm.duration_ms > 5000',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'query-error query-help',
    value: params.get('q') ?? '',
  });
  const queryError = h('div', { id: 'query-error', class: 'query-error', role: 'alert', hidden: true });
  const minInput = h('input', {
    id: 'f-min',
    type: 'text',
    placeholder: 'e.g. 100ms',
    value: params.get('minDuration') ?? '',
  });
  const maxInput = h('input', {
    id: 'f-max',
    type: 'text',
    placeholder: 'e.g. 2s',
    value: params.get('maxDuration') ?? '',
  });
  const lookbackSelect = h(
    'select',
    { id: 'f-lookback' },
    LOOKBACKS.map(([v, label]) => h('option', { value: v }, label)),
  );
  lookbackSelect.value = params.get('lookback') ?? '1h';
  const startInput = h('input', { id: 'f-start', type: 'datetime-local' });
  const endInput = h('input', { id: 'f-end', type: 'datetime-local' });
  if (params.get('start')) startInput.value = toLocalInput(Number(params.get('start')));
  if (params.get('end')) endInput.value = toLocalInput(Number(params.get('end')));
  const customRange = h(
    'div',
    { class: 'custom-range', hidden: lookbackSelect.value !== 'custom' },
    h('label', { for: 'f-start' }, 'From'),
    startInput,
    h('label', { for: 'f-end' }, 'To'),
    endInput,
  );
  lookbackSelect.addEventListener('change', () => {
    customRange.hidden = lookbackSelect.value !== 'custom';
  });
  const limitInput = h('input', {
    id: 'f-limit',
    type: 'number',
    min: '1',
    max: '1000',
    value: params.get('limit') ?? '50',
  });
  const liveButton = h('button', { type: 'button', class: 'live-toggle', 'aria-pressed': 'true' }, '');
  let live = params.get('live') !== 'off';

  const status = h('div', { class: 'result-status', role: 'status', 'aria-live': 'polite' });
  const plotHolder = h('div', { class: 'plot-holder' });
  const list = h('ol', { class: 'results', 'aria-label': 'Traces' });

  const chips = h(
    'div',
    { class: 'examples', id: 'query-help' },
    h('span', { class: 'muted' }, 'Examples:'),
    EXAMPLE_QUERIES.map((ex) =>
      h(
        'button',
        {
          type: 'button',
          class: 'example-chip',
          title: ex.label,
          dataset: { query: ex.query },
          onclick: () => {
            queryInput.value = ex.query;
            runSearch(true);
          },
        },
        ex.query,
      ),
    ),
  );

  const form = h(
    'form',
    {
      class: 'search-form',
      'aria-label': 'Search traces',
      onsubmit: (e: Event) => {
        e.preventDefault();
        runSearch(true);
      },
    },
    h('h1', { class: 'visually-hidden' }, 'Search traces'),
    h('label', { for: 'f-service' }, 'Service'),
    serviceSelect,
    h('label', { for: 'f-operation' }, 'Operation'),
    operationSelect,
    h('label', { for: 'f-query' }, 'Query'),
    h('div', { class: 'hint muted' }, 'Service, operation, durations and query match within one span.'),
    queryInput,
    queryError,
    chips,
    h(
      'div',
      { class: 'row2' },
      h('div', null, h('label', { for: 'f-min' }, 'Min duration'), minInput),
      h('div', null, h('label', { for: 'f-max' }, 'Max duration'), maxInput),
    ),
    h('label', { for: 'f-lookback' }, 'Time range'),
    lookbackSelect,
    customRange,
    h('label', { for: 'f-limit' }, 'Limit'),
    limitInput,
    h(
      'div',
      { class: 'form-actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Find traces'),
      liveButton,
    ),
  );

  replaceChildren(
    root,
    h(
      'div',
      { class: 'search-layout' },
      h('aside', { class: 'search-side' }, form),
      h('section', { class: 'search-results', 'aria-label': 'Results' }, status, plotHolder, list),
    ),
  );

  function renderLive(): void {
    liveButton.setAttribute('aria-pressed', String(live));
    liveButton.textContent = live ? '❚❚ Pause live' : '▶ Resume live';
    liveButton.title = live ? `Refreshing every ${LIVE_INTERVAL_MS / 1000}s` : 'Live updates paused';
  }
  liveButton.addEventListener('click', () => {
    live = !live;
    renderLive();
    setQueryParams({ live: live ? undefined : 'off' });
    schedulePoll();
  });
  renderLive();

  function schedulePoll(): void {
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = undefined;
    if (live) pollTimer = setTimeout(() => runSearch(false), LIVE_INTERVAL_MS);
  }

  function showQueryError(message: string, column?: number, expected?: string[] | string): void {
    queryInput.setAttribute('aria-invalid', 'true');
    const exp = Array.isArray(expected) ? expected.join(', ') : expected;
    const parts: (Node | string)[] = [
      h('div', { class: 'query-error-msg' }, message, exp ? ` (expected ${exp})` : ''),
    ];
    if (column !== undefined && column >= 1) {
      const text = queryInput.value;
      const i = Math.min(column - 1, text.length);
      parts.push(
        h(
          'div',
          { class: 'query-caret', 'aria-label': `at column ${column}` },
          h('span', null, text.slice(0, i)),
          h('mark', { class: 'query-caret-mark' }, text.slice(i, i + 1) || ' '),
          h('span', null, text.slice(i + 1)),
        ),
        h('div', { class: 'muted' }, `column ${column}`),
      );
      queryInput.focus();
      queryInput.setSelectionRange(i, Math.min(i + 1, text.length));
    }
    replaceChildren(queryError, parts);
    queryError.hidden = false;
  }

  function clearQueryError(): void {
    queryInput.removeAttribute('aria-invalid');
    queryError.hidden = true;
    queryError.replaceChildren();
  }

  function readWindow(): { start: number; end: number } | string {
    if (lookbackSelect.value === 'custom') {
      const start = startInput.value ? new Date(startInput.value).getTime() * 1000 : Number.NaN;
      const end = endInput.value ? new Date(endInput.value).getTime() * 1000 : Date.now() * 1000;
      if (!Number.isFinite(start)) return 'choose a start time for the custom range';
      if (!Number.isFinite(end) || end <= start) return 'the end of the range must be after its start';
      return { start, end };
    }
    const lb = LOOKBACKS.find(([v]) => v === lookbackSelect.value)?.[2] ?? 3600e6;
    const end = Date.now() * 1000;
    return { start: end - lb, end };
  }

  // What the user last submitted: live polls repeat it, whatever is half-typed in the form.
  let submitted:
    | { composed: ComposedQuery; limit: number; lookbackUs?: number; start?: number; end?: number }
    | undefined;

  function readForm(): typeof submitted | string {
    const minUs = parseDuration(minInput.value);
    const maxUs = parseDuration(maxInput.value);
    if (Number.isNaN(minUs) || Number.isNaN(maxUs)) return 'Durations look like 150ms, 2s or 1.5m.';
    const range = readWindow();
    if (typeof range === 'string') return range;
    const composed = composeQuery({
      service: serviceSelect.value,
      operation: operationSelect.value,
      query: queryInput.value,
      minDurationUs: minUs,
      maxDurationUs: maxUs,
    });
    const limit = Math.max(1, Math.min(1000, Number(limitInput.value) || 50));
    if (lookbackSelect.value === 'custom') return { composed, limit, start: range.start, end: range.end };
    return { composed, limit, lookbackUs: range.end - range.start };
  }

  async function runSearch(userAction: boolean): Promise<void> {
    const seq = ++searchSeq;
    if (pollTimer) clearTimeout(pollTimer);
    if (userAction || !submitted) {
      const form = readForm();
      if (typeof form === 'string' || !form) {
        status.textContent = form ?? 'Invalid search';
        status.className = 'result-status error';
        return;
      }
      submitted = form;
      seen = new Set();
      firstResult = true;
      setQueryParams({
        service: serviceSelect.value,
        operation: operationSelect.value,
        q: queryInput.value,
        minDuration: minInput.value,
        maxDuration: maxInput.value,
        lookback: lookbackSelect.value === '1h' ? undefined : lookbackSelect.value,
        start: form.start === undefined ? undefined : String(form.start),
        end: form.end === undefined ? undefined : String(form.end),
        limit: limitInput.value === '50' ? undefined : limitInput.value,
      });
      status.textContent = 'Searching…';
      status.className = 'result-status';
    }
    const { composed, limit } = submitted;
    const nowUs = Date.now() * 1000;
    const range =
      submitted.lookbackUs !== undefined
        ? { start: nowUs - submitted.lookbackUs, end: nowUs }
        : { start: submitted.start ?? 0, end: submitted.end ?? nowUs };
    try {
      const { traces, total } = await searchTraces(
        { q: composed.q, start: Math.floor(range.start), end: Math.ceil(range.end), limit },
        controller.signal,
      );
      if (seq !== searchSeq) return;
      clearQueryError();
      renderResults(traces, total);
    } catch (err) {
      if (seq !== searchSeq || (err as Error).name === 'AbortError') return;
      if (err instanceof ApiError && err.status === 400) {
        const col = err.detail?.column;
        const userCol = col === undefined ? undefined : col - composed.userOffset;
        const inUserText = userCol !== undefined && userCol >= 1 && userCol <= queryInput.value.length + 1;
        showQueryError(err.message, inUserText ? userCol : undefined, err.detail?.expected);
        status.textContent = 'Fix the query to search.';
        status.className = 'result-status error';
      } else {
        status.textContent = `Search failed: ${(err as Error).message}`;
        status.className = 'result-status error';
      }
    } finally {
      if (seq === searchSeq) schedulePoll();
    }
  }

  function renderResults(traces: TraceSummary[], total: number): void {
    const now = new Set(traces.map((t) => t.traceID));
    const isNew = (id: string) => !firstResult && !seen.has(id);
    status.className = 'result-status';
    status.textContent =
      traces.length === 0
        ? 'No traces match.'
        : `${traces.length} trace${traces.length === 1 ? '' : 's'}${total > traces.length ? ` of ${total}` : ''}`;
    replaceChildren(
      plotHolder,
      traces.length > 0 ? scatterPlot(traces, (id) => navigate(`/trace/${id}`)) : null,
    );
    const maxDuration = traces.reduce((m, t) => Math.max(m, t.duration), 0) || 1;
    replaceChildren(
      list,
      traces.map((t) =>
        h(
          'li',
          { class: isNew(t.traceID) ? 'result new' : 'result', dataset: { traceId: t.traceID } },
          h(
            'a',
            { href: `/trace/${encodeURIComponent(t.traceID)}`, class: 'result-link' },
            h(
              'div',
              { class: 'result-head' },
              h('span', { class: 'result-title' }, h('strong', null, t.rootService), ': ', t.rootOperation),
              h('span', { class: 'result-duration' }, formatDuration(t.duration)),
            ),
            h(
              'div',
              { class: 'duration-track', 'aria-hidden': 'true' },
              h('div', {
                class: 'duration-bar',
                style: { width: `${Math.max(0.5, (t.duration / maxDuration) * 100)}%` },
              }),
            ),
            h(
              'div',
              { class: 'result-meta' },
              h('span', { class: 'muted' }, `${t.spanCount} span${t.spanCount === 1 ? '' : 's'}`),
              t.errorCount > 0
                ? h('span', { class: 'badge-error' }, `${t.errorCount} error${t.errorCount === 1 ? '' : 's'}`)
                : null,
              h('span', { class: 'chips' }, t.services.map(serviceChip)),
              h('span', { class: 'muted result-time' }, formatTime(t.startTime)),
            ),
          ),
        ),
      ),
    );
    for (const id of now) seen.add(id);
    firstResult = false;
  }

  async function loadOperations(service: string, selected?: string): Promise<void> {
    operationSelect.replaceChildren(h('option', { value: '' }, 'All operations'));
    if (!service) return;
    try {
      const ops = await fetchOperations(service, controller.signal);
      operationSelect.append(...ops.map((o) => h('option', { value: o }, o)));
      if (selected && ops.includes(selected)) operationSelect.value = selected;
    } catch {
      // pickers are a convenience; the query box still works
    }
  }

  serviceSelect.addEventListener('change', () => {
    void loadOperations(serviceSelect.value);
  });

  (async () => {
    try {
      const services = await fetchServices(controller.signal);
      serviceSelect.append(...services.map((svc) => h('option', { value: svc }, svc)));
      const wanted = params.get('service');
      if (wanted && services.includes(wanted)) {
        serviceSelect.value = wanted;
        await loadOperations(wanted, params.get('operation') ?? undefined);
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError')
        status.textContent = `Cannot load services: ${(err as Error).message}`;
    }
    if (!controller.signal.aborted) await runSearch(true);
  })();

  const onKey = (e: KeyboardEvent) => {
    if (
      e.key === '/' &&
      document.activeElement?.tagName !== 'INPUT' &&
      document.activeElement?.tagName !== 'TEXTAREA'
    ) {
      e.preventDefault();
      queryInput.focus();
    }
  };
  document.addEventListener('keydown', onKey);

  return () => {
    controller.abort();
    if (pollTimer) clearTimeout(pollTimer);
    searchSeq++;
    document.removeEventListener('keydown', onKey);
  };
}
