import { setFlagsFromString } from 'node:v8';
import { RegexTooLongError, RegexUnsupportedError } from '../errors.js';
import { LINEAR_ENGINE_MAX_REPETITION, splitCountedRepetitions } from './regex-repetition.js';

/**
 * Regular expressions of `=~` / `!~`, run by V8's linear-time engine (the `l` flag).
 *
 * The engine is behind `--enable-experimental-regexp-engine`. V8 reads that flag when a RegExp
 * with the `l` flag is compiled, so setting it here, before any such RegExp exists, enables it for
 * the whole process (worker threads included) on Node 20 and 24 alike.
 * NOTE: this module sets a process-wide V8 flag on import; the flag only adds the `l` flag and
 * changes nothing for RegExps without it.
 */
setFlagsFromString('--enable-experimental-regexp-engine');

/** Longest pattern accepted, in UTF-16 code units (longer: `AUTOBOT_ERR_COLLECTOR_QUERY_REGEX_TOO_LONG`). */
export const MAX_REGEX_PATTERN_CHARS = 1024;

/**
 * Values longer than this (UTF-16 code units) are matched on their first `MAX_REGEX_SUBJECT_CHARS`
 * characters only, so one huge attribute value costs at most this much per pattern.
 */
export const MAX_REGEX_SUBJECT_CHARS = 16_384;

/**
 * Largest product of nested counted repetitions (`{n}`, `{n,m}`) the linear engine accepts; a
 * single count above it is split into equivalent chunks first, so only nesting can exceed it.
 */
export const MAX_REGEX_REPETITION = LINEAR_ENGINE_MAX_REPETITION;

const LINEAR_ENGINE_AVAILABLE = (() => {
  try {
    // biome-ignore lint/complexity/useRegexLiterals: a literal with the `l` flag would not parse where the flag is off
    new RegExp('a', 'l');
    return true;
  } catch {
    return false;
  }
})();

/** A construct of the pattern the linear-time engine cannot run, with its 0-based offset. */
interface Construct {
  name: string;
  offset: number;
}

/**
 * The first backreference or lookaround in `pattern` (escapes and character classes skipped), or
 * the first counted repetition when `countedToo` is set. `null` when there is none.
 */
function findConstruct(pattern: string, countedToo: boolean): Construct | null {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return { name: `backreference "\\${next}"`, offset: i };
      if (!inClass && next === 'k' && pattern[i + 2] === '<')
        return { name: 'named backreference "\\k<…>"', offset: i };
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(' && pattern[i + 1] === '?') {
      const head = pattern.slice(i, i + 4);
      if (head.startsWith('(?=')) return { name: 'lookahead "(?=…)"', offset: i };
      if (head.startsWith('(?!')) return { name: 'negative lookahead "(?!…)"', offset: i };
      if (head.startsWith('(?<=')) return { name: 'lookbehind "(?<=…)"', offset: i };
      if (head.startsWith('(?<!')) return { name: 'negative lookbehind "(?<!…)"', offset: i };
    } else if (countedToo && c === '{') {
      const m = /^\{(\d+)(,\d*)?\}/.exec(pattern.slice(i));
      if (m !== null && (Number(m[1]) > 1 || (m[2] !== undefined && m[2] !== ','))) {
        return {
          name: `counted repetition "${m[0]}" (nested counts may multiply to at most ${MAX_REGEX_REPETITION}; use + or *)`,
          offset: i,
        };
      }
    }
  }
  return null;
}

/**
 * Compiles the anchored form `^(?:pattern)$` for the linear-time engine.
 *
 * Throws `SyntaxError` for an invalid pattern, `RegexTooLongError` over
 * {@link MAX_REGEX_PATTERN_CHARS}, and `RegexUnsupportedError` (naming the construct) for what
 * the engine cannot run in linear time: backreferences, lookaround (rejected on every Node
 * version, although Node 24's engine runs lookbehind), counted repetitions whose nested counts
 * multiply past {@link MAX_REGEX_REPETITION} (a single `{32}` is fine: it is split), and inline
 * modifiers. `column` is the 1-based column
 * of the pattern's first character in the query, used in the error.
 */
export function compileLinearRegex(pattern: string, column = 1): RegExp {
  if (pattern.length > MAX_REGEX_PATTERN_CHARS) {
    throw new RegexTooLongError(
      `regular expression at column ${column} is ${pattern.length} characters long; at most ${MAX_REGEX_PATTERN_CHARS} are allowed`,
      column,
    );
  }
  const source = `^(?:${pattern})$`;
  // Syntax first, with the ordinary engine: its messages name the mistake.
  new RegExp(source);
  const unsupported = (construct: Construct | null, fallback: string): RegexUnsupportedError => {
    const name = construct?.name ?? fallback;
    const at = column + (construct?.offset ?? 0);
    return new RegexUnsupportedError(
      `regular expression at column ${at} uses ${name}, which cannot be matched in linear time`,
      at,
      name,
    );
  };
  const found = findConstruct(pattern, false);
  if (found !== null) throw unsupported(found, '');
  if (!LINEAR_ENGINE_AVAILABLE) {
    throw unsupported(null, 'a regular expression (this Node.js has no linear-time regex engine)');
  }
  try {
    // Counts over the engine's limit are split into equivalent chunks (regex-repetition.ts).
    return new RegExp(`^(?:${splitCountedRepetitions(pattern)})$`, 'l');
  } catch {
    throw unsupported(findConstruct(pattern, true), 'a construct (such as an inline modifier "(?i:…)")');
  }
}

/** Whether `pattern` has a `|` outside any group or character class (escapes skipped). */
function hasTopLevelAlternation(pattern: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

const SYNTAX_CHARS = new Set('\\^$.|?*+()[]{}');

/**
 * The literal text every value matching the anchored pattern `^(?:pattern)$` starts with: the
 * pattern's leading run of plain characters, without the last one when a quantifier that allows
 * zero of it (`?`, `*`, `{`) follows. Empty when the pattern has a top-level alternation or
 * starts with anything else. A value without this prefix cannot match, so checking
 * `startsWith` first is exact; it spares the linear-time engine, which is an order of magnitude
 * slower than the backtracking one on simple patterns, most of the values of a rare match.
 * Matching is by UTF-16 code unit, like the RegExp (compiled without the `u` flag).
 */
export function literalPrefix(pattern: string): string {
  if (hasTopLevelAlternation(pattern)) return '';
  let end = 0;
  while (end < pattern.length && !SYNTAX_CHARS.has(pattern[end] as string)) end++;
  const next = pattern[end];
  if (next === '?' || next === '*' || next === '{') end--;
  return pattern.slice(0, Math.max(0, end));
}

const cache = new Map<string, RegExp | null>();
const prefixes = new Map<string, string>();

/**
 * The compiled linear-time RegExp of a pattern, cached (at most 1000 patterns); `null` when the
 * pattern cannot be compiled (it then matches nothing: the parser rejects such patterns first).
 */
export function cachedLinearRegex(pattern: string): RegExp | null {
  let re = cache.get(pattern);
  if (re === undefined) {
    try {
      re = compileLinearRegex(pattern);
    } catch {
      re = null;
    }
    if (cache.size >= 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** Whether `value` (its first {@link MAX_REGEX_SUBJECT_CHARS} characters) matches `pattern` in full. */
export function linearRegexTest(pattern: string, value: string): boolean {
  const re = cachedLinearRegex(pattern);
  if (re === null) return false;
  let prefix = prefixes.get(pattern);
  if (prefix === undefined) {
    prefix = literalPrefix(pattern);
    if (prefixes.size >= 1000) prefixes.clear();
    prefixes.set(pattern, prefix);
  }
  // The prefix is at most MAX_REGEX_PATTERN_CHARS long, within the characters matched below.
  if (!value.startsWith(prefix)) return false;
  return re.test(value.length > MAX_REGEX_SUBJECT_CHARS ? value.slice(0, MAX_REGEX_SUBJECT_CHARS) : value);
}
