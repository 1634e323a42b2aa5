/** Service chips: a coloured label per service, text only. */
import { serviceColor } from '../colors.js';
import { h } from '../dom.js';

/** One service chip. */
export function serviceChip(service: string): HTMLSpanElement {
  return h(
    'span',
    { class: 'chip', title: service },
    h('span', { class: 'chip-dot', style: { background: serviceColor(service) }, 'aria-hidden': 'true' }),
    service,
  );
}
