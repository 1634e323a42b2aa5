/**
 * The search page's form: service/operation pickers, the query box with example chips and a
 * column-accurate syntax-error display, duration and time-range filters, the limit and the
 * live toggle. It owns the controls; the page decides when to search.
 */
import { h, replaceChildren } from '../../dom.js';
import { parseDuration } from '../../format.js';
import { type ComposedQuery, composeQuery, EXAMPLE_QUERIES } from '../../query.js';

const LOOKBACKS: [string, string, number][] = [
  ['5m', 'Last 5 minutes', 5 * 60e6],
  ['15m', 'Last 15 minutes', 15 * 60e6],
  ['1h', 'Last hour', 3600e6],
  ['6h', 'Last 6 hours', 6 * 3600e6],
  ['24h', 'Last 24 hours', 24 * 3600e6],
  ['7d', 'Last 7 days', 7 * 24 * 3600e6],
  ['custom', 'Custom range', 0],
];

/** A validated search as submitted: live polls repeat it, whatever is half-typed meanwhile. */
export interface SubmittedSearch {
  composed: ComposedQuery;
  limit: number;
  /** Relative window (re-anchored at "now" on every poll), or an absolute `start`/`end` in µs. */
  lookbackUs?: number;
  start?: number;
  end?: number;
}

/** The form's controls and what the page needs from them. */
export interface SearchForm {
  element: HTMLFormElement;
  serviceSelect: HTMLSelectElement;
  operationSelect: HTMLSelectElement;
  queryInput: HTMLInputElement;
  liveButton: HTMLButtonElement;
  /** The validated form, or a message saying what to fix. */
  read(): SubmittedSearch | string;
  /** URL parameters that reproduce the form (defaults left out). */
  urlParams(submitted: SubmittedSearch): Record<string, string | undefined>;
  showQueryError(message: string, column?: number, expected?: string[] | string): void;
  clearQueryError(): void;
}

/** `us` as a `datetime-local` value in local time, to the second. */
function toLocalInput(us: number): string {
  const d = new Date(us / 1000 - new Date(us / 1000).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}

/**
 * A `datetime-local` input for one end of a custom range. The input shows whole seconds, but a
 * range that came in the URL (a Monitor bucket, a shared link) is kept to the microsecond while
 * the input still shows it: re-reading the rounded text would cut off the last second (or,
 * at minute precision, the last minute) of the window.
 */
function timeInput(id: string, urlValue: string | null): { input: HTMLInputElement; readUs(): number } {
  const input = h('input', { id, type: 'datetime-local', step: '1' });
  const exactUs = urlValue ? Number(urlValue) : Number.NaN;
  const shown = Number.isFinite(exactUs) ? toLocalInput(exactUs) : '';
  input.value = shown;
  return {
    input,
    readUs() {
      if (input.value === shown && Number.isFinite(exactUs)) return exactUs;
      return input.value ? new Date(input.value).getTime() * 1000 : Number.NaN;
    },
  };
}

function textInput(id: string, placeholder: string, value: string | null): HTMLInputElement {
  return h('input', { id, type: 'text', placeholder, value: value ?? '' });
}

function picker(id: string, name: string, allLabel: string): HTMLSelectElement {
  return h('select', { id, name }, h('option', { value: '' }, allLabel));
}

/** The form's fields. */
interface FormFields {
  serviceSelect: HTMLSelectElement;
  operationSelect: HTMLSelectElement;
  queryInput: HTMLInputElement;
  queryError: HTMLElement;
  minInput: HTMLInputElement;
  maxInput: HTMLInputElement;
  range: ReturnType<typeof timeRange>;
  limitInput: HTMLInputElement;
  liveButton: HTMLButtonElement;
}

function createFields(params: URLSearchParams): FormFields {
  return {
    serviceSelect: picker('f-service', 'service', 'All services'),
    operationSelect: picker('f-operation', 'operation', 'All operations'),
    queryInput: h('input', {
      id: 'f-query',
      name: 'q',
      type: 'text',
      class: 'query-input',
      placeholder: 'e.g. llm.duration_ms > 5000',
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-describedby': 'query-error query-help',
      value: params.get('q') ?? '',
    }),
    queryError: h('div', { id: 'query-error', class: 'query-error', role: 'alert', hidden: true }),
    minInput: textInput('f-min', 'e.g. 100ms', params.get('minDuration')),
    maxInput: textInput('f-max', 'e.g. 2s', params.get('maxDuration')),
    range: timeRange(params),
    limitInput: h('input', {
      id: 'f-limit',
      type: 'number',
      min: '1',
      max: '1000',
      value: params.get('limit') ?? '50',
    }),
    liveButton: h('button', { type: 'button', class: 'live-toggle', 'aria-pressed': 'true' }, ''),
  };
}

/** The spec's example queries as chips: a click fills the query box and searches. */
function exampleChips(queryInput: HTMLInputElement, onSearch: () => void): HTMLElement {
  return h(
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
            onSearch();
          },
        },
        ex.query,
      ),
    ),
  );
}

function formElement(f: FormFields, onSearch: () => void): HTMLFormElement {
  return h(
    'form',
    {
      class: 'search-form',
      'aria-label': 'Search traces',
      onsubmit: (e: Event) => {
        e.preventDefault();
        onSearch();
      },
    },
    h('h1', { class: 'visually-hidden' }, 'Search traces'),
    h('label', { for: 'f-service' }, 'Service'),
    f.serviceSelect,
    h('label', { for: 'f-operation' }, 'Operation'),
    f.operationSelect,
    h('label', { for: 'f-query' }, 'Query'),
    h('div', { class: 'hint muted' }, 'Service, operation, durations and query match within one span.'),
    f.queryInput,
    f.queryError,
    exampleChips(f.queryInput, onSearch),
    h(
      'div',
      { class: 'row2' },
      h('div', null, h('label', { for: 'f-min' }, 'Min duration'), f.minInput),
      h('div', null, h('label', { for: 'f-max' }, 'Max duration'), f.maxInput),
    ),
    h('label', { for: 'f-lookback' }, 'Time range'),
    f.range.lookbackSelect,
    f.range.customRange,
    h('label', { for: 'f-limit' }, 'Limit'),
    f.limitInput,
    h(
      'div',
      { class: 'form-actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Find traces'),
      f.liveButton,
    ),
  );
}

/** The search the form describes, or a message saying what is wrong with it. */
function readForm(f: FormFields): SubmittedSearch | string {
  const minUs = parseDuration(f.minInput.value);
  const maxUs = parseDuration(f.maxInput.value);
  if (Number.isNaN(minUs) || Number.isNaN(maxUs)) return 'Durations look like 150ms, 2s or 1.5m.';
  const window = f.range.read();
  if (typeof window === 'string') return window;
  const composed = composeQuery({
    service: f.serviceSelect.value,
    operation: f.operationSelect.value,
    query: f.queryInput.value,
    minDurationUs: minUs,
    maxDurationUs: maxUs,
  });
  const limit = Math.max(1, Math.min(1000, Number(f.limitInput.value) || 50));
  if (f.range.isCustom()) return { composed, limit, start: window.start, end: window.end };
  return { composed, limit, lookbackUs: window.end - window.start };
}

function urlParamsOf(f: FormFields, submitted: SubmittedSearch): Record<string, string | undefined> {
  return {
    service: f.serviceSelect.value,
    operation: f.operationSelect.value,
    q: f.queryInput.value,
    minDuration: f.minInput.value,
    maxDuration: f.maxInput.value,
    lookback: f.range.lookbackSelect.value === '1h' ? undefined : f.range.lookbackSelect.value,
    start: submitted.start === undefined ? undefined : String(submitted.start),
    end: submitted.end === undefined ? undefined : String(submitted.end),
    limit: f.limitInput.value === '50' ? undefined : f.limitInput.value,
  };
}

/** Builds the form from the URL's parameters; `onSearch` runs on submit and on an example click. */
export function searchForm(params: URLSearchParams, onSearch: () => void): SearchForm {
  const f = createFields(params);
  const { queryInput, queryError } = f;
  return {
    element: formElement(f, onSearch),
    serviceSelect: f.serviceSelect,
    operationSelect: f.operationSelect,
    queryInput,
    liveButton: f.liveButton,
    read: () => readForm(f),
    urlParams: (submitted) => urlParamsOf(f, submitted),
    showQueryError: (message, column, expected) =>
      showQueryError(queryInput, queryError, message, column, expected),
    clearQueryError() {
      queryInput.removeAttribute('aria-invalid');
      queryError.hidden = true;
      queryError.replaceChildren();
    },
  };
}

/** The time-range picker: a relative lookback, or a custom absolute range. */
function timeRange(params: URLSearchParams) {
  const lookbackSelect = h(
    'select',
    { id: 'f-lookback' },
    LOOKBACKS.map(([v, label]) => h('option', { value: v }, label)),
  );
  lookbackSelect.value = params.get('lookback') ?? '1h';
  const from = timeInput('f-start', params.get('start'));
  const to = timeInput('f-end', params.get('end'));
  const customRange = h(
    'div',
    { class: 'custom-range', hidden: lookbackSelect.value !== 'custom' },
    h('label', { for: 'f-start' }, 'From'),
    from.input,
    h('label', { for: 'f-end' }, 'To'),
    to.input,
  );
  lookbackSelect.addEventListener('change', () => {
    customRange.hidden = lookbackSelect.value !== 'custom';
  });
  const isCustom = () => lookbackSelect.value === 'custom';
  /** The chosen window in µs, or what is wrong with it. */
  const read = (): { start: number; end: number } | string => {
    if (isCustom()) {
      const start = from.readUs();
      const end = to.input.value ? to.readUs() : Date.now() * 1000;
      if (!Number.isFinite(start)) return 'choose a start time for the custom range';
      if (!Number.isFinite(end) || end <= start) return 'the end of the range must be after its start';
      return { start, end };
    }
    const lookbackUs = LOOKBACKS.find(([v]) => v === lookbackSelect.value)?.[2] ?? 3600e6;
    const end = Date.now() * 1000;
    return { start: end - lookbackUs, end };
  };
  return { lookbackSelect, customRange, isCustom, read };
}

/** Shows the message once, with a caret under the column it names (1-based) when given. */
function showQueryError(
  queryInput: HTMLInputElement,
  queryError: HTMLElement,
  message: string,
  column?: number,
  expected?: string[] | string,
): void {
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
