/**
 * History-API router. Internal links are plain `<a href="/trace/…">` elements; a click on one
 * (without modifier keys) navigates in place, so links also work with middle-click and copy.
 */

/** A page renders into `root` and returns a cleanup function (timers, listeners). */
export type Page = (root: HTMLElement, url: URL) => (() => void) | undefined;

type Listener = () => void;
const listeners = new Set<Listener>();

/** Navigates to a same-origin path (`/trace/abc?span=…`). `replace` avoids a history entry. */
export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const l of listeners) l();
}

/** Updates the query string without re-rendering the page (state mirrored into the URL). */
export function setQueryParams(params: Record<string, string | undefined>): void {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  history.replaceState(null, '', url.pathname + url.search);
}

/** Subscribes to navigation (pushState here and browser back/forward). */
export function onNavigate(listener: Listener): void {
  listeners.add(listener);
}

/** Installs the global click and popstate handlers. */
export function installRouter(): void {
  window.addEventListener('popstate', () => {
    for (const l of listeners) l();
  });
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.hasAttribute('download') || anchor.getAttribute('target')) return;
    const href = anchor.getAttribute('href');
    if (!href?.startsWith('/') || href.startsWith('//') || href.startsWith('/api/')) return;
    event.preventDefault();
    navigate(href);
  });
}
