/**
 * Rewrites counted repetitions above V8's linear-engine limit into equivalent sequences within it.
 *
 * V8's linear-time engine unrolls counted repetitions and refuses any whose counts, multiplied
 * through the nesting, exceed 16 (`kMaxReplication` in src/regexp/experimental). A natural query
 * such as `trace =~ "[0-9a-f]{32}"` would then be refused, although `x{32}` matches exactly what
 * `x{16}x{16}` matches: `x{a,b}` is split into chunks `x{a1,b1}x{a2,b2}…` with every bound ≤ 16,
 * Σa = a and Σb = b (any count between a and b is a sum of chunk counts), and `x{a,}` into
 * chunks for `a` followed by `x*`. Nested counts still multiply: `(a{10}){10}` stays refused, and
 * so does a count over {@link MAX_SPLIT_REPETITION}.
 *
 * Groups are emitted non-capturing, since a repeated atom may be duplicated (a named group would
 * then be declared twice); `=~` only tests for a match and backreferences are refused earlier.
 * The input is a pattern the ordinary engine has already accepted (no `u` flag).
 */

/** Largest count the linear engine accepts for one repetition (and for nested products). */
export const LINEAR_ENGINE_MAX_REPETITION = 16;

/**
 * Largest count that is split. Unrolled counts grow the engine's automaton (its matching time is
 * proportional to automaton size × value length), so `x{1000000}` is left as written and refused.
 */
export const MAX_SPLIT_REPETITION = 256;

const COUNTED = /^\{(\d+)(?:(,)(\d*))?\}/;
const GROUP_PREFIX = /^\((?:\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>))?/;

/** `pattern` with every counted repetition over the limit split into chunks within it. */
export function splitCountedRepetitions(pattern: string): string {
  let pos = 0;

  const sequence = (): string => {
    let out = '';
    while (pos < pattern.length && pattern[pos] !== ')') {
      if (pattern[pos] === '|') {
        out += '|';
        pos++;
        continue;
      }
      out += quantified(atom());
    }
    return out;
  };

  const atom = (): string => {
    const c = pattern[pos] as string;
    if (c === '\\') return escapeSequence();
    if (c === '[') return characterClass();
    if (c === '(') {
      const prefix = (GROUP_PREFIX.exec(pattern.slice(pos)) as RegExpExecArray)[0];
      pos += prefix.length;
      const inner = sequence();
      pos++; // ')'
      // Lookaround keeps its prefix (the linear engine refuses it anyway); groups lose capture.
      const kept = prefix === '(?=' || prefix === '(?!' || prefix === '(?<=' || prefix === '(?<!';
      return `${kept ? prefix : '(?:'}${inner})`;
    }
    pos++;
    return c;
  };

  const escapeSequence = (): string => {
    const start = pos;
    const kind = pattern[pos + 1] ?? '';
    pos += 2;
    const take = (re: RegExp) => {
      const m = re.exec(pattern.slice(pos));
      if (m) pos += m[0].length;
    };
    if (kind === 'x') take(/^[0-9a-fA-F]{2}/);
    else if (kind === 'u') take(/^[0-9a-fA-F]{4}/);
    else if (kind === 'c') take(/^[A-Za-z]/);
    else if (kind >= '0' && kind <= '9') take(/^[0-9]+/);
    return pattern.slice(start, pos);
  };

  const characterClass = (): string => {
    const start = pos;
    pos++;
    while (pos < pattern.length && pattern[pos] !== ']') pos += pattern[pos] === '\\' ? 2 : 1;
    pos++;
    return pattern.slice(start, pos);
  };

  const quantified = (unit: string): string => {
    const c = pattern[pos];
    if (c === '*' || c === '+' || c === '?') {
      pos++;
      return unit + c + lazySuffix();
    }
    const m = c === '{' ? COUNTED.exec(pattern.slice(pos)) : null;
    // A brace that does not form a quantifier is a literal, parsed as the next atom.
    if (m === null) return unit;
    pos += m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    return chunks(unit, min, max, m[0], lazySuffix());
  };

  const lazySuffix = (): string => {
    if (pattern[pos] !== '?') return '';
    pos++;
    return '?';
  };

  return sequence();
}

function chunks(unit: string, min: number, max: number, original: string, lazy: string): string {
  const limit = LINEAR_ENGINE_MAX_REPETITION;
  if (min <= limit && (max <= limit || max === Number.POSITIVE_INFINITY)) return unit + original + lazy;
  if (min > MAX_SPLIT_REPETITION || (max !== Number.POSITIVE_INFINITY && max > MAX_SPLIT_REPETITION))
    return unit + original + lazy;
  let out = '';
  let minLeft = min;
  if (max === Number.POSITIVE_INFINITY) {
    for (; minLeft > 0; minLeft -= Math.min(limit, minLeft)) out += `${unit}{${Math.min(limit, minLeft)}}`;
    return `${out}${unit}*${lazy}`;
  }
  for (let maxLeft = max; maxLeft > 0; ) {
    const hi = Math.min(limit, maxLeft);
    const lo = Math.min(hi, minLeft);
    out += `${unit}${lo === hi ? `{${hi}}` : `{${lo},${hi}}`}${lazy}`;
    minLeft -= lo;
    maxLeft -= hi;
  }
  return out;
}
