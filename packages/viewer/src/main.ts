/** Entry point: app shell (header + nav) and routing to the pages. */
import { h, replaceChildren } from './dom.js';
import { llmPage } from './pages/llm-page.js';
import { mapPage } from './pages/map-page.js';
import { monitorPage } from './pages/monitor-page.js';
import { searchPage } from './pages/search-page.js';
import { tracePage } from './pages/trace-page.js';
import { installRouter, navigate, onNavigate, type Page } from './router.js';
import './styles.css';

const app = document.getElementById('app') as HTMLElement;
const main = h('main', { id: 'main', tabindex: '-1' });

function navLink(href: string, label: string, key: string): HTMLAnchorElement {
  return h('a', { href, class: 'nav-link', dataset: { nav: key } }, label);
}

const traceIdInput = h('input', {
  type: 'search',
  placeholder: 'Trace ID…',
  'aria-label': 'Open trace by ID',
  class: 'trace-id-input',
  spellcheck: 'false',
});
const lookup = h(
  'form',
  {
    class: 'trace-lookup',
    role: 'search',
    onsubmit: (e: Event) => {
      e.preventDefault();
      const id = traceIdInput.value.trim().toLowerCase();
      if (/^[0-9a-f]{1,32}$/.test(id)) navigate(`/trace/${id}`);
      else {
        traceIdInput.setCustomValidity('a trace id is 1-32 hex digits');
        traceIdInput.reportValidity();
      }
    },
  },
  traceIdInput,
);
traceIdInput.addEventListener('input', () => traceIdInput.setCustomValidity(''));

replaceChildren(
  app,
  h('a', { href: '#main', class: 'skip-link' }, 'Skip to content'),
  h(
    'header',
    { class: 'app-header' },
    h('a', { href: '/search', class: 'brand' }, 'AutoBot Traces'),
    h(
      'nav',
      { 'aria-label': 'Main' },
      navLink('/search', 'Search', 'search'),
      navLink('/map', 'Service map', 'map'),
      navLink('/monitor', 'Monitor', 'monitor'),
      navLink('/llm', 'LLM', 'llm'),
    ),
    lookup,
  ),
  main,
);

let cleanup: (() => void) | undefined;

function route(): void {
  const url = new URL(location.href);
  let page: Page;
  let key: string;
  const traceMatch = /^\/trace\/([^/]+)\/?$/.exec(url.pathname);
  if (traceMatch) {
    page = tracePage;
    key = 'trace';
  } else if (url.pathname === '/map' || url.pathname === '/map/') {
    page = mapPage;
    key = 'map';
  } else if (url.pathname === '/monitor' || url.pathname === '/monitor/') {
    page = monitorPage;
    key = 'monitor';
  } else if (url.pathname === '/llm' || url.pathname === '/llm/') {
    page = llmPage;
    key = 'llm';
  } else {
    if (url.pathname !== '/search') history.replaceState(null, '', `/search${url.search}`);
    page = searchPage;
    key = 'search';
  }
  for (const a of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
    if (a.dataset.nav === key) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  try {
    cleanup?.();
  } catch {
    // a failing cleanup must not block navigation
  }
  main.replaceChildren();
  cleanup = page(main, new URL(location.href)) ?? undefined;
}

installRouter();
onNavigate(route);
route();
