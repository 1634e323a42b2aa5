/**
 * Monitor: RED figures per service from the collector's span metrics (rate, error rate,
 * p50/p95/p99 with sparklines), drill-down to a service's operations, and click-through to
 * example traces of a slow or failed time bucket on the search page.
 */
import { sparkline } from '../components/sparkline.js';
import { h, replaceChildren } from '../dom.js';
import { fetchOperationHealth, fetchServiceHealth, type RedRow, type Window } from '../metrics-api.js';
import { navigate, setQueryParams } from '../router.js';
import { minDurationClause, ms, quote, rangeMs, rangeSelect, searchHref, table } from './monitor-shared.js';

const KIND_NAMES = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const KINDS: [string, string][] = [
  ['server', 'Server spans'],
  ['client', 'Client spans'],
  ['internal', 'Internal spans'],
  ['all', 'All spans'],
];

function pct(x: number): string {
  return `${(x * 100).toFixed(x > 0 && x < 0.01 ? 2 : 1)}%`;
}

/** The µs window of sparkline point `i`. */
function bucketUs(win: Window, i: number): [number, number] {
  const start = (win.fromMinute + i * win.bucketMinutes) * 60e6;
  return [start, start + win.bucketMinutes * 60e6];
}

function row(
  r: RedRow,
  win: Window,
  scope: string,
  first: HTMLElement | string,
  kind?: string,
): HTMLTableRowElement {
  const windowUs: [number, number] = [win.fromMinute * 60e6, win.endMs * 1000];
  const slowQ = (threshold: number | null) =>
    threshold === null ? scope : `${scope} and ${minDurationClause(threshold)}`;
  const errQ = `${scope} and status = error`;
  const go = (q: string, [a, b]: [number, number]) => navigate(searchHref(q, a, b));
  return h(
    'tr',
    null,
    h('th', { scope: 'row' }, first),
    kind === undefined ? null : h('td', null, kind),
    h('td', { class: 'num' }, String(r.calls)),
    h('td', { class: 'num' }, r.ratePerSec < 0.1 ? r.ratePerSec.toFixed(3) : r.ratePerSec.toFixed(2)),
    h('td', { class: `num${r.errors > 0 ? ' bad' : ''}` }, pct(r.errorRate)),
    h('td', { class: 'num' }, ms(r.p50Ms)),
    h('td', { class: 'num' }, ms(r.p95Ms)),
    h('td', { class: 'num' }, ms(r.p99Ms)),
    h('td', null, sparkline(r.series.calls, `calls per bucket: ${r.series.calls.join(', ')}`)),
    h(
      'td',
      null,
      sparkline(r.series.errors, `errors per bucket: ${r.series.errors.join(', ')}`, {
        color: 'var(--error, #c62828)',
        onPoint: (i) => go(errQ, bucketUs(win, i)),
        pointTitle: (i) => `${r.series.errors[i]} errors — show failed traces of this bucket`,
      }),
    ),
    h(
      'td',
      null,
      sparkline(
        r.series.p95Ms,
        `p95 per bucket (ms): ${r.series.p95Ms.map((v) => (v === null ? '-' : v.toFixed(1))).join(', ')}`,
        {
          onPoint: (i) => go(slowQ(r.series.p95Ms[i] ?? null), bucketUs(win, i)),
          pointTitle: (i) => `p95 ${ms(r.series.p95Ms[i])} — show the slowest traces of this bucket`,
        },
      ),
    ),
    h(
      'td',
      { class: 'links' },
      h('a', { href: searchHref(slowQ(r.p95Ms), ...windowUs) }, 'slow'),
      ' · ',
      r.errors > 0 ? h('a', { href: searchHref(errQ, ...windowUs) }, 'failed') : 'failed',
    ),
  );
}

const HEAD = ['Calls', 'Rate/s', 'Errors', 'p50', 'p95', 'p99', 'Calls', 'Errors', 'p95', 'Traces'];

const NO_SPANS = 'No spans of this kind in this time range.';

/** Fills `body` with the services table; returns what the status line counts. */
async function showServices(
  body: HTMLElement,
  range: HTMLSelectElement,
  kind: HTMLSelectElement,
  signal: AbortSignal,
): Promise<string> {
  const res = await fetchServiceHealth(rangeMs(range), kind.value, signal);
  const serviceLink = (service: string) =>
    h(
      'a',
      { href: `/monitor?${new URLSearchParams({ service, range: range.value, kind: kind.value })}` },
      service,
    );
  replaceChildren(
    body,
    res.services.length === 0
      ? h('p', { class: 'empty' }, NO_SPANS)
      : table(
          'services',
          ['Service', ...HEAD],
          res.services.map((r) => row(r, res, `service = ${quote(r.service)}`, serviceLink(r.service))),
        ),
  );
  return `${res.services.length} services`;
}

/** Fills `body` with one service's operations table; returns what the status line counts. */
async function showOperations(
  body: HTMLElement,
  service: string,
  range: HTMLSelectElement,
  kind: HTMLSelectElement,
  signal: AbortSignal,
): Promise<string> {
  const res = await fetchOperationHealth(service, rangeMs(range), kind.value, signal);
  replaceChildren(
    body,
    res.operations.length === 0
      ? h('p', { class: 'empty' }, NO_SPANS)
      : table(
          'operations',
          ['Operation', 'Kind', ...HEAD],
          res.operations.map((r) => {
            const k = KIND_NAMES[r.spanKind ?? 0] ?? 'unspecified';
            const scope = `service = ${quote(service)} and name = ${quote(r.operation ?? '')} and kind = ${k}`;
            return row(r, res, scope, r.operation ?? '', k);
          }),
        ),
  );
  return `${res.operations.length} operations`;
}

function kindSelect(url: URL): HTMLSelectElement {
  const kind = h(
    'select',
    { id: 'monitor-kind' },
    KINDS.map(([v, label]) => h('option', { value: v }, label)),
  );
  kind.value = KINDS.some(([v]) => v === url.searchParams.get('kind'))
    ? (url.searchParams.get('kind') as string)
    : 'server';
  return kind;
}

function monitorHead(
  service: string | undefined,
  range: HTMLSelectElement,
  kind: HTMLSelectElement,
): HTMLElement {
  return h(
    'div',
    { class: 'map-head' },
    h('h1', null, service === undefined ? 'Service health' : service),
    service === undefined
      ? null
      : h(
          'a',
          { href: `/monitor?${new URLSearchParams({ range: range.value, kind: kind.value })}` },
          '← all services',
        ),
    h('label', { for: 'monitor-range' }, 'Time range '),
    range,
    h('label', { for: 'monitor-kind' }, 'Spans '),
    kind,
  );
}

/** Renders the Monitor page (`/monitor`, `/monitor?service=…`). */
export function monitorPage(root: HTMLElement, url: URL): () => void {
  const controller = new AbortController();
  const service = url.searchParams.get('service') ?? undefined;
  const range = rangeSelect(url, 'monitor-range');
  const kind = kindSelect(url);
  const status = h('div', { class: 'result-status', role: 'status', 'aria-live': 'polite' });
  const body = h('div', { class: 'monitor-body' });

  async function load(): Promise<void> {
    status.textContent = 'Loading…';
    const started = performance.now();
    try {
      const counted =
        service === undefined
          ? await showServices(body, range, kind, controller.signal)
          : await showOperations(body, service, range, kind, controller.signal);
      status.textContent = `${counted} · ${Math.round(performance.now() - started)} ms`;
    } catch (err) {
      if ((err as Error).name !== 'AbortError')
        status.textContent = `Cannot load service health: ${(err as Error).message}`;
    }
  }
  for (const el of [range, kind]) {
    el.addEventListener('change', () => {
      setQueryParams({ range: range.value, kind: kind.value });
      void load();
    });
  }
  replaceChildren(
    root,
    h(
      'div',
      { class: 'monitor-page' },
      monitorHead(service, range, kind),
      h(
        'p',
        { class: 'hint' },
        'Per 1-minute bucket from the collector’s span metrics; percentiles within 1 % (DDSketch). Click a sparkline point for that bucket’s traces.',
      ),
      status,
      body,
    ),
  );
  void load();
  return () => controller.abort();
}
