/** Stable per-service colours: the same service gets the same hue on every page and every load. */

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#af7aa1',
  '#86bcb6',
  '#8cd17d',
];

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** Colour of a service (hex). Error red is never handed out as a service colour. */
export function serviceColor(service: string): string {
  return PALETTE[hash(service) % PALETTE.length] ?? '#888888';
}
