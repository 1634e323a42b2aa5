/**
 * Service map: services as nodes on a circle, calls as directed edges labelled with call counts
 * (and error rates when the collector reports `errorCount`), plus the same data as a table.
 */
import { type DependencyLink, fetchDependencies } from '../api.js';
import { serviceColor } from '../colors.js';
import { h, replaceChildren, s } from '../dom.js';
import { setQueryParams } from '../router.js';

const LOOKBACKS: [string, string, number][] = [
  ['1h', 'Last hour', 3600e3],
  ['6h', 'Last 6 hours', 6 * 3600e3],
  ['24h', 'Last 24 hours', 24 * 3600e3],
  ['7d', 'Last 7 days', 7 * 24 * 3600e3],
];

/** Node positions on a circle, services sorted for a stable layout. */
export function layoutNodes(
  services: string[],
  cx: number,
  cy: number,
  r: number,
): Map<string, { x: number; y: number }> {
  const out = new Map<string, { x: number; y: number }>();
  const n = services.length;
  services.forEach((svc, i) => {
    const a = n === 1 ? 0 : (2 * Math.PI * i) / n - Math.PI / 2;
    out.set(svc, { x: n === 1 ? cx : cx + r * Math.cos(a), y: n === 1 ? cy : cy + r * Math.sin(a) });
  });
  return out;
}

function errorRate(l: DependencyLink): string {
  if (l.errorCount === undefined) return '—';
  return l.callCount > 0 ? `${((l.errorCount / l.callCount) * 100).toFixed(1)}%` : '0%';
}

const MAP_W = 900;
const MAP_H = 520;
/** Node radius, px. */
const NODE_R = 26;

function mapSvg(serviceCount: number): SVGSVGElement {
  return s(
    'svg',
    {
      class: 'service-map',
      viewBox: `0 0 ${MAP_W} ${MAP_H}`,
      role: 'img',
      'aria-label': `Service map: ${serviceCount} services`,
    },
    s(
      'defs',
      null,
      s(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: '10',
          refY: '5',
          markerUnits: 'userSpaceOnUse',
          markerWidth: '10',
          markerHeight: '10',
          orient: 'auto-start-reverse',
        },
        s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }),
      ),
    ),
  );
}

type Point = { x: number; y: number };

/** A service calling itself: a loop above its node. */
function selfEdge(a: Point, label: string, hasErrors: boolean): SVGElement[] {
  return [
    s('path', {
      class: hasErrors ? 'edge edge-error' : 'edge',
      d: `M ${a.x - 10} ${a.y - NODE_R} c -30 -60, 50 -60, 20 0`,
      'marker-end': 'url(#arrow)',
    }),
    s('text', { class: 'edge-label', x: a.x, y: a.y - NODE_R - 40, 'text-anchor': 'middle' }, label),
  ];
}

/** The arrow from caller to callee, as wide as its share of the calls, with its label. */
function edge(l: DependencyLink, a: Point, b: Point, label: string, maxCalls: number): SVGElement[] {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  // Offset sideways so A→B and B→A do not overlap.
  const ox = (-dy / len) * 6;
  const oy = (dx / len) * 6;
  const x1 = a.x + (dx / len) * NODE_R + ox;
  const y1 = a.y + (dy / len) * NODE_R + oy;
  const x2 = b.x - (dx / len) * (NODE_R + 2) + ox;
  const y2 = b.y - (dy / len) * (NODE_R + 2) + oy;
  return [
    s(
      'line',
      {
        class: (l.errorCount ?? 0) > 0 ? 'edge edge-error' : 'edge',
        x1,
        y1,
        x2,
        y2,
        'stroke-width': String(1.5 + (l.callCount / maxCalls) * 4),
        'marker-end': 'url(#arrow)',
      },
      s('title', null, `${l.parent} → ${l.child}: ${label}`),
    ),
    s(
      'text',
      {
        class: 'edge-label',
        x: (x1 + x2) / 2 + ox * 2,
        y: (y1 + y2) / 2 + oy * 2,
        'text-anchor': 'middle',
      },
      label,
    ),
  ];
}

function drawMap(links: DependencyLink[]): SVGSVGElement {
  const services = [...new Set(links.flatMap((l) => [l.parent, l.child]))].sort();
  const pos = layoutNodes(services, MAP_W / 2, MAP_H / 2, Math.min(MAP_W, MAP_H) / 2 - 70);
  const maxCalls = links.reduce((m, l) => Math.max(m, l.callCount), 1);
  const svg = mapSvg(services.length);
  for (const l of links) {
    const a = pos.get(l.parent);
    const b = pos.get(l.child);
    if (!a || !b) continue;
    const label = `${l.callCount} call${l.callCount === 1 ? '' : 's'}${l.errorCount !== undefined ? `, ${errorRate(l)} errors` : ''}`;
    svg.append(...(a === b ? selfEdge(a, label, (l.errorCount ?? 0) > 0) : edge(l, a, b, label, maxCalls)));
  }
  for (const svc of services) {
    const p = pos.get(svc);
    if (!p) continue;
    const g = s(
      'a',
      { href: `/search?service=${encodeURIComponent(svc)}`, class: 'map-node', dataset: { service: svc } },
      s('circle', { cx: p.x, cy: p.y, r: NODE_R, fill: serviceColor(svc) }),
      s('text', { x: p.x, y: p.y + NODE_R + 16, 'text-anchor': 'middle', class: 'node-label' }, svc),
    );
    svg.append(g);
  }
  return svg;
}

/** The edges as a table, most calls first. */
function depsTable(links: DependencyLink[]): HTMLTableElement {
  return h(
    'table',
    { class: 'deps' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, 'Caller'),
        h('th', null, 'Callee'),
        h('th', null, 'Calls'),
        h('th', null, 'Error rate'),
      ),
    ),
    h(
      'tbody',
      null,
      [...links]
        .sort((a, b) => b.callCount - a.callCount)
        .map((l) =>
          h(
            'tr',
            null,
            h('td', null, l.parent),
            h('td', null, l.child),
            h('td', null, String(l.callCount)),
            h('td', null, errorRate(l)),
          ),
        ),
    ),
  );
}

/** Renders the service map page. */
export function mapPage(root: HTMLElement, url: URL): () => void {
  const controller = new AbortController();
  const select = h(
    'select',
    { id: 'map-lookback' },
    LOOKBACKS.map(([v, label]) => h('option', { value: v }, label)),
  );
  select.value = url.searchParams.get('lookback') ?? '24h';
  const body = h('div', { class: 'map-body' });
  const status = h('p', { class: 'result-status', role: 'status' }, 'Loading…');

  async function load(): Promise<void> {
    const lb = LOOKBACKS.find(([v]) => v === select.value)?.[2] ?? 24 * 3600e3;
    try {
      const links = await fetchDependencies(Date.now(), lb, controller.signal);
      status.textContent =
        links.length === 0 ? 'No calls between services in this time range.' : `${links.length} edges`;
      replaceChildren(
        body,
        links.length > 0 ? drawMap(links) : null,
        links.length > 0 ? depsTable(links) : null,
      );
    } catch (err) {
      if ((err as Error).name !== 'AbortError')
        status.textContent = `Cannot load dependencies: ${(err as Error).message}`;
    }
  }
  select.addEventListener('change', () => {
    setQueryParams({ lookback: select.value });
    void load();
  });
  replaceChildren(
    root,
    h(
      'div',
      { class: 'map-page' },
      h(
        'div',
        { class: 'map-head' },
        h('h1', null, 'Service map'),
        h('label', { for: 'map-lookback' }, 'Time range '),
        select,
      ),
      status,
      body,
    ),
  );
  void load();
  return () => controller.abort();
}
