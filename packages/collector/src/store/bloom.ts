/**
 * A fixed-size Bloom filter over strings, used per (block, attribute key) so that equality
 * searches skip blocks that cannot contain the value. 4096 bits and 4 probes: ~2% false
 * positives at 512 distinct values, far less for the usual handful.
 */
export const BLOOM_BYTES = 512;
const BLOOM_BITS = BLOOM_BYTES * 8;
const PROBES = 4;

function hash32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** Sets the bits of `value` in `bloom` (length {@link BLOOM_BYTES}). */
export function bloomAdd(bloom: Uint8Array, value: string): void {
  const h1 = hash32(value, 0x811c9dc5);
  const h2 = hash32(value, 0x9747b28c) | 1;
  for (let i = 0; i < PROBES; i++) {
    const bit = (h1 + Math.imul(i, h2)) >>> 0;
    const b = bit % BLOOM_BITS;
    bloom[b >>> 3] = (bloom[b >>> 3] as number) | (1 << (b & 7));
  }
}

/** True when `value` may be in the set; false means it certainly is not. */
export function bloomHas(bloom: Uint8Array, value: string): boolean {
  if (bloom.length !== BLOOM_BYTES) return true;
  const h1 = hash32(value, 0x811c9dc5);
  const h2 = hash32(value, 0x9747b28c) | 1;
  for (let i = 0; i < PROBES; i++) {
    const bit = (h1 + Math.imul(i, h2)) >>> 0;
    const b = bit % BLOOM_BITS;
    if (((bloom[b >>> 3] as number) & (1 << (b & 7))) === 0) return false;
  }
  return true;
}
