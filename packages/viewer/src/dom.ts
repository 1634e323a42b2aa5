/**
 * The only way this UI creates DOM: elements with properties and children, where every string
 * child becomes a Text node. Nothing here accepts HTML, so span names, attribute values and
 * service names can never become markup or script, whatever they contain.
 */

/** A child: a node, text (rendered literally), or nothing. Arrays are flattened. */
export type Child = Node | string | number | null | undefined | false | Child[];

/** Attributes and properties for {@link h}. `on*` functions become event listeners. */
export type Props = {
  class?: string;
  style?: Partial<Record<string, string>>;
  dataset?: Record<string, string>;
  [key: string]: unknown;
};

// Attributes that could carry a script URL; values are checked before they reach the DOM.
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href']);

/** True when a URL is safe to put in an href: relative, http(s), blob or a data: download. */
export function isSafeUrl(url: string): boolean {
  const trimmed = url.trim().toLowerCase();
  if (trimmed.startsWith('/') || trimmed.startsWith('?') || trimmed.startsWith('#')) return true;
  return /^(https?:|blob:)/.test(trimmed);
}

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
    return;
  }
  parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
}

function applyProps(el: Element, props: Props): void {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', String(value));
    else if (key === 'style') {
      const style = (el as HTMLElement | SVGElement).style;
      for (const [prop, v] of Object.entries(value as Record<string, string>)) {
        if (v !== undefined) style.setProperty(prop, v);
      }
    } else if (key === 'dataset') {
      for (const [k, v] of Object.entries(value as Record<string, string>)) {
        (el as HTMLElement).dataset[k] = v;
      }
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value as EventListener);
    } else if (URL_ATTRS.has(key)) {
      if (isSafeUrl(String(value))) el.setAttribute(key, String(value));
    } else if (key === 'value' || key === 'checked' || key === 'selected') {
      (el as unknown as Record<string, unknown>)[key] = value;
    } else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
}

/** Creates an HTML element. String children are text, never markup. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) applyProps(el, props);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element (for the scatter plot and the service map). */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  if (props) applyProps(el, props);
  append(el, children);
  return el;
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  const frag = document.createDocumentFragment();
  append(frag, children);
  parent.replaceChildren(frag);
}
