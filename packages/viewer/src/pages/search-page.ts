/**
 * Search page: the form (./search/search-form.ts), a scatter plot and the result list
 * (./search/result-list.ts). Live mode re-runs the submitted search every few seconds and
 * highlights traces that are new since the previous run.
 */
import { ApiError, fetchOperations, fetchServices, searchTraces, type TraceSummary } from '../api.js';
import { scatterPlot } from '../components/scatter-plot.js';
import { h, replaceChildren } from '../dom.js';
import { navigate, setQueryParams } from '../router.js';
import { resultRows, resultStatusText } from './search/result-list.js';
import { type SearchForm, type SubmittedSearch, searchForm } from './search/search-form.js';

/** Poll interval of live mode. */
export const LIVE_INTERVAL_MS = 5000;

/** Renders the search page; returns its teardown. */
export function searchPage(root: HTMLElement, url: URL): () => void {
  const params = url.searchParams;
  const controller = new AbortController();
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let searchSeq = 0;
  let seen = new Set<string>();
  let firstResult = true;
  let live = params.get('live') !== 'off';
  let submitted: SubmittedSearch | undefined;

  const form: SearchForm = searchForm(params, () => void runSearch(true));
  const status = h('div', { class: 'result-status', role: 'status', 'aria-live': 'polite' });
  const plotHolder = h('div', { class: 'plot-holder' });
  const list = h('ol', { class: 'results', 'aria-label': 'Traces' });
  replaceChildren(
    root,
    h(
      'div',
      { class: 'search-layout' },
      h('aside', { class: 'search-side' }, form.element),
      h('section', { class: 'search-results', 'aria-label': 'Results' }, status, plotHolder, list),
    ),
  );

  const setStatus = (text: string, error = false) => {
    status.textContent = text;
    status.className = error ? 'result-status error' : 'result-status';
  };

  function renderLive(): void {
    form.liveButton.setAttribute('aria-pressed', String(live));
    form.liveButton.textContent = live ? '❚❚ Pause live' : '▶ Resume live';
    form.liveButton.title = live ? `Refreshing every ${LIVE_INTERVAL_MS / 1000}s` : 'Live updates paused';
  }
  form.liveButton.addEventListener('click', () => {
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

  /** A user search reads the form; a live poll repeats the last submitted one. */
  function submit(): SubmittedSearch | undefined {
    const read = form.read();
    if (typeof read === 'string') {
      setStatus(read || 'Invalid search', true);
      return undefined;
    }
    seen = new Set();
    firstResult = true;
    setQueryParams(form.urlParams(read));
    setStatus('Searching…');
    return read;
  }

  async function runSearch(userAction: boolean): Promise<void> {
    const seq = ++searchSeq;
    if (pollTimer) clearTimeout(pollTimer);
    if (userAction || !submitted) {
      const next = submit();
      if (!next) return;
      submitted = next;
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
      form.clearQueryError();
      renderResults(traces, total);
    } catch (err) {
      if (seq !== searchSeq || (err as Error).name === 'AbortError') return;
      if (err instanceof ApiError && err.status === 400) {
        const col = err.detail?.column;
        const userCol = col === undefined ? undefined : col - composed.userOffset;
        const inUserText =
          userCol !== undefined && userCol >= 1 && userCol <= form.queryInput.value.length + 1;
        form.showQueryError(err.message, inUserText ? userCol : undefined, err.detail?.expected);
        setStatus('Fix the query to search.', true);
      } else {
        setStatus(`Search failed: ${(err as Error).message}`, true);
      }
    } finally {
      if (seq === searchSeq) schedulePoll();
    }
  }

  function renderResults(traces: TraceSummary[], total: number): void {
    setStatus(resultStatusText(traces.length, total));
    replaceChildren(
      plotHolder,
      traces.length > 0 ? scatterPlot(traces, (id) => navigate(`/trace/${id}`)) : null,
    );
    replaceChildren(
      list,
      resultRows(traces, (id) => !firstResult && !seen.has(id)),
    );
    for (const t of traces) seen.add(t.traceID);
    firstResult = false;
  }

  async function loadOperations(service: string, selected?: string): Promise<void> {
    form.operationSelect.replaceChildren(h('option', { value: '' }, 'All operations'));
    if (!service) return;
    try {
      const ops = await fetchOperations(service, controller.signal);
      form.operationSelect.append(...ops.map((o) => h('option', { value: o }, o)));
      if (selected && ops.includes(selected)) form.operationSelect.value = selected;
    } catch {
      // pickers are a convenience; the query box still works
    }
  }
  form.serviceSelect.addEventListener('change', () => {
    void loadOperations(form.serviceSelect.value);
  });

  (async () => {
    try {
      const services = await fetchServices(controller.signal);
      form.serviceSelect.append(...services.map((svc) => h('option', { value: svc }, svc)));
      const wanted = params.get('service');
      if (wanted && services.includes(wanted)) {
        form.serviceSelect.value = wanted;
        await loadOperations(wanted, params.get('operation') ?? undefined);
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setStatus(`Cannot load services: ${(err as Error).message}`);
    }
    if (!controller.signal.aborted) await runSearch(true);
  })();

  const onKey = (e: KeyboardEvent) => {
    const typing =
      document.activeElement?.tagName === 'INPUT' || document.activeElement?.tagName === 'TEXTAREA';
    if (e.key === '/' && !typing) {
      e.preventDefault();
      form.queryInput.focus();
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
