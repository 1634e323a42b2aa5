/**
 * Character-level checks for the propagators' id fields: one pass, no regex, no substring.
 * Ids are parsed on every incoming request, sampled or not.
 */

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LOWER_A = 0x61;
const LOWER_F = 0x66;

/** True when `value[start, end)` is non-empty lower-case hex and not all zeros. */
export function isNonZeroLowerHex(value: string, start: number, end: number): boolean {
  return scanHex(value, start, end) === NON_ZERO;
}

/** True when `value[start, end)` is non-empty lower-case hex (zeros allowed). */
export function isLowerHex(value: string, start: number, end: number): boolean {
  return scanHex(value, start, end) !== NOT_HEX;
}

const NOT_HEX = 0;
const ALL_ZERO = 1;
const NON_ZERO = 2;

/** Lower-case hex only (the propagators' headers), or either case (the API's span contexts). */
const LOWER_ONLY = 0;
const EITHER_CASE = 0x20;

/**
 * NOT_HEX, ALL_ZERO or NON_ZERO for `value[start, end)`. With EITHER_CASE, OR-ing 0x20 maps an
 * upper-case letter onto its lower-case code (and digits onto themselves).
 */
function scanHex(value: string, start: number, end: number, caseBit = LOWER_ONLY): number {
  if (end <= start || end > value.length) return NOT_HEX;
  let result = ALL_ZERO;
  for (let i = start; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c === DIGIT_0) continue;
    const folded = c | caseBit;
    if ((c > DIGIT_0 && c <= DIGIT_9) || (folded >= LOWER_A && folded <= LOWER_F)) result = NON_ZERO;
    else return NOT_HEX;
  }
  return result;
}

/** True when `id` is `length` hex digits (either case) and not all zeros. */
export function isHexId(id: string, length: number): boolean {
  return typeof id === 'string' && id.length === length && scanHex(id, 0, length, EITHER_CASE) === NON_ZERO;
}

/** `value` without leading and trailing spaces and tabs (HTTP optional whitespace, RFC 9110 §5.6.3). */
export function trimOws(value: string): string {
  const last = value.length - 1;
  if (last < 0) return value;
  const first = value.charCodeAt(0);
  const end = value.charCodeAt(last);
  if (first !== 0x20 && first !== 0x09 && end !== 0x20 && end !== 0x09) return value;
  let start = 0;
  let stop = value.length;
  while (start < stop && isOws(value.charCodeAt(start))) start++;
  while (stop > start && isOws(value.charCodeAt(stop - 1))) stop--;
  return value.slice(start, stop);
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
