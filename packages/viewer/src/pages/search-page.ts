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

/** The page's elements and the state of its searches. */
interface SearchState {
  form: SearchForm;
  signal: AbortSignal;
  status: HTMLElement;
  plotHolder: HTMLElement;
  list: HTMLElement;
  pollTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every search: an answer to an older one is dropped. */
  searchSeq: number;
  /** Trace ids already shown by this search, so live runs can mark the new ones. */
  seen: Set<string>;
  firstResult: boolean;
  live: boolean;
  submitted: SubmittedSearch | undefined;
}

function setStatus(st: SearchState, text: string, error = false): void {
  st.status.textContent = text;
  st.status.className = error ? 'result-status error' : 'result-status';
}

function renderLive(st: SearchState): void {
  const button = st.form.liveButton;
  button.setAttribute('aria-pressed', String(st.live));
  button.textContent = st.live ? '❚❚ Pause live' : '▶ Resume live';
  button.title = st.live ? `Refreshing every ${LIVE_INTERVAL_MS / 1000}s` : 'Live updates paused';
}

function schedulePoll(st: SearchState): void {
  if (st.pollTimer) clearTimeout(st.pollTimer);
  st.pollTimer = undefined;
  if (st.live) st.pollTimer = setTimeout(() => runSearch(st, false), LIVE_INTERVAL_MS);
}

/** A user search reads the form; a live poll repeats the last submitted one. */
function submit(st: SearchState): SubmittedSearch | undefined {
  const read = st.form.read();
  if (typeof read === 'string') {
    setStatus(st, read || 'Invalid search', true);
    return undefined;
  }
  st.seen = new Set();
  st.firstResult = true;
  setQueryParams(st.form.urlParams(read));
  setStatus(st, 'Searching…');
  return read;
}

/** The µs range a submitted search covers now (a lookback moves with the clock). */
function searchRange(submitted: SubmittedSearch, nowUs: number): { start: number; end: number } {
  return submitted.lookbackUs !== undefined
    ? { start: nowUs - submitted.lookbackUs, end: nowUs }
    : { start: submitted.start ?? 0, end: submitted.end ?? nowUs };
}

/** A query syntax error is shown at its column in the query box (when it is in the user's text). */
function showSearchError(st: SearchState, err: unknown, userOffset: number): void {
  if (err instanceof ApiError && err.status === 400) {
    const col = err.detail?.column;
    const userCol = col === undefined ? undefined : col - userOffset;
    const inUserText =
      userCol !== undefined && userCol >= 1 && userCol <= st.form.queryInput.value.length + 1;
    st.form.showQueryError(err.message, inUserText ? userCol : undefined, err.detail?.expected);
    setStatus(st, 'Fix the query to search.', true);
  } else {
    setStatus(st, `Search failed: ${(err as Error).message}`, true);
  }
}

async function runSearch(st: SearchState, userAction: boolean): Promise<void> {
  const seq = ++st.searchSeq;
  if (st.pollTimer) clearTimeout(st.pollTimer);
  if (userAction || !st.submitted) {
    const next = submit(st);
    if (!next) return;
    st.submitted = next;
  }
  const { composed, limit } = st.submitted;
  const range = searchRange(st.submitted, Date.now() * 1000);
  try {
    const { traces, total } = await searchTraces(
      { q: composed.q, start: Math.floor(range.start), end: Math.ceil(range.end), limit },
      st.signal,
    );
    if (seq !== st.searchSeq) return;
    st.form.clearQueryError();
    renderResults(st, traces, total);
  } catch (err) {
    if (seq !== st.searchSeq || (err as Error).name === 'AbortError') return;
    showSearchError(st, err, composed.userOffset);
  } finally {
    if (seq === st.searchSeq) schedulePoll(st);
  }
}

function renderResults(st: SearchState, traces: TraceSummary[], total: number): void {
  setStatus(st, resultStatusText(traces.length, total));
  replaceChildren(
    st.plotHolder,
    traces.length > 0 ? scatterPlot(traces, (id) => navigate(`/trace/${id}`)) : null,
  );
  replaceChildren(
    st.list,
    resultRows(traces, (id) => !st.firstResult && !st.seen.has(id)),
  );
  for (const t of traces) st.seen.add(t.traceID);
  st.firstResult = false;
}

async function loadOperations(st: SearchState, service: string, selected?: string): Promise<void> {
  const { operationSelect } = st.form;
  operationSelect.replaceChildren(h('option', { value: '' }, 'All operations'));
  if (!service) return;
  try {
    const ops = await fetchOperations(service, st.signal);
    operationSelect.append(...ops.map((o) => h('option', { value: o }, o)));
    if (selected && ops.includes(selected)) operationSelect.value = selected;
  } catch {
    // pickers are a convenience; the query box still works
  }
}

/** Fills the service picker (and the operations of the service in the URL), then runs the search. */
async function start(st: SearchState, params: URLSearchParams): Promise<void> {
  try {
    const services = await fetchServices(st.signal);
    st.form.serviceSelect.append(...services.map((svc) => h('option', { value: svc }, svc)));
    const wanted = params.get('service');
    if (wanted && services.includes(wanted)) {
      st.form.serviceSelect.value = wanted;
      await loadOperations(st, wanted, params.get('operation') ?? undefined);
    }
  } catch (err) {
    if ((err as Error).name !== 'AbortError')
      setStatus(st, `Cannot load services: ${(err as Error).message}`);
  }
  if (!st.signal.aborted) await runSearch(st, true);
}

/** `/` focuses the query box, unless the user is typing in a field. */
function slashFocusesQuery(form: SearchForm): (e: KeyboardEvent) => void {
  return (e: KeyboardEvent) => {
    const typing =
      document.activeElement?.tagName === 'INPUT' || document.activeElement?.tagName === 'TEXTAREA';
    if (e.key === '/' && !typing) {
      e.preventDefault();
      form.queryInput.focus();
    }
  };
}

/** Renders the search page; returns its teardown. */
export function searchPage(root: HTMLElement, url: URL): () => void {
  const params = url.searchParams;
  const controller = new AbortController();
  const form: SearchForm = searchForm(params, () => void runSearch(st, true));
  const st: SearchState = {
    form,
    signal: controller.signal,
    status: h('div', { class: 'result-status', role: 'status', 'aria-live': 'polite' }),
    plotHolder: h('div', { class: 'plot-holder' }),
    list: h('ol', { class: 'results', 'aria-label': 'Traces' }),
    pollTimer: undefined,
    searchSeq: 0,
    seen: new Set(),
    firstResult: true,
    live: params.get('live') !== 'off',
    submitted: undefined,
  };
  replaceChildren(
    root,
    h(
      'div',
      { class: 'search-layout' },
      h('aside', { class: 'search-side' }, form.element),
      h('section', { class: 'search-results', 'aria-label': 'Results' }, st.status, st.plotHolder, st.list),
    ),
  );
  form.liveButton.addEventListener('click', () => {
    st.live = !st.live;
    renderLive(st);
    setQueryParams({ live: st.live ? undefined : 'off' });
    schedulePoll(st);
  });
  renderLive(st);
  form.serviceSelect.addEventListener('change', () => {
    void loadOperations(st, form.serviceSelect.value);
  });
  void start(st, params);
  const onKey = slashFocusesQuery(form);
  document.addEventListener('keydown', onKey);

  return () => {
    controller.abort();
    if (st.pollTimer) clearTimeout(st.pollTimer);
    st.searchSeq++;
    document.removeEventListener('keydown', onKey);
  };
}
