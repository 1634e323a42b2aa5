import { DOUBLE_TAG } from './model.js';

/*
 * JSON with exact 64-bit integers on Node 20 and later (`JSON.parse` source text in revivers is
 * Node 21+). Integer literals outside ±(2^53 − 1) become `bigint` when parsing, and `bigint`
 * values are written as bare integer literals (so SQLite's JSON functions read them as exact
 * INTEGERs). Text without such a literal takes the native `JSON.parse` / `JSON.stringify` path.
 */

// A run of 16 digits is the shortest literal that can leave the safe integer range.
const LONG_DIGITS = /\d{16}/;
// Placeholder for a bigint during stringify: starts with a lone surrogate, which no valid OTLP
// string can contain (the decoders reject them), and which JSON.stringify escapes as `\ud800`.
const BIGINT_MARK = '\uD800n';
const NUMBER_MARK_RE = /"\\ud800n(-?[0-9.e+-]+)"/g;
// A numeric DOUBLE_TAG as JSON.stringify writes it (the lone surrogate escaped).
const NUMERIC_DOUBLE_TAG_RE = /"\\ud800double":[-\d]/;

/** An integral double as a literal JSON readers (SQLite, {@link parseExact}) see as a double. */
function doubleLiteral(n: number): string {
  if (Object.is(n, -0)) return '-0.0';
  const text = String(n);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

function exactReplacer(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${BIGINT_MARK}${v}`;
  if (v !== null && typeof v === 'object') {
    const d = (v as Record<string, unknown>)[DOUBLE_TAG];
    if (typeof d === 'number') return `${BIGINT_MARK}${doubleLiteral(d)}`;
  }
  return v;
}

/**
 * `JSON.stringify` that writes `bigint` values as exact integer literals and numeric
 * `DOUBLE_TAG` values as double literals (`5.0`).
 */
export function stringifyExact(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    if (!NUMERIC_DOUBLE_TAG_RE.test(text)) return text;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  return JSON.stringify(value, exactReplacer).replace(NUMBER_MARK_RE, '$1');
}

/** Options of {@link parseExact}. */
export interface ParseExactOptions {
  /**
   * Read a number written with a fraction or exponent but without a fractional value (`5.0`,
   * `1e+21`) as `{ [DOUBLE_TAG]: n }`: text written by {@link stringifyExact} from stored values.
   */
  taggedDoubles?: boolean;
}

// Text that may hold an integral double literal as stringifyExact writes one (no whitespace): a
// number in value position (after ":", "," or "[") ending in ".0", or with an "e+" exponent
// (JS writes 1e21 and up that way). A superset test: a string value that happens to contain such
// text only costs the slower exact parse. Text such as "10.0.0.3" inside a string (an IP
// address in a URL, common in spans) no longer sends every row to the slow path.
const INTEGRAL_DOUBLE = /(?:^|[:,[])-?\d+(?:\.0(?:[,}\]]|$)|(?:\.\d+)?e\+)/;

/**
 * `JSON.parse` that keeps integer literals beyond ±(2^53 − 1) exact as `bigint`. Throws
 * `SyntaxError` for malformed text, like `JSON.parse`.
 */
export function parseExact(text: string, options: ParseExactOptions = {}): unknown {
  const tagged = options.taggedDoubles === true;
  if (!LONG_DIGITS.test(text) && !(tagged && INTEGRAL_DOUBLE.test(text))) return JSON.parse(text);
  return new ExactParser(text, tagged).parseDocument();
}

/** {@link parseExact} options for JSON this package stored. */
export const STORED_JSON: Readonly<ParseExactOptions> = Object.freeze({ taggedDoubles: true });

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER_RE = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in strings
const STRING_RE = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class ExactParser {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly taggedDoubles: boolean,
  ) {}

  parseDocument(): unknown {
    const value = this.value(0);
    this.skip();
    if (this.i !== this.text.length) this.fail('unexpected text after the JSON value');
    return value;
  }

  private fail(what: string): never {
    throw new SyntaxError(`${what} at position ${this.i}`);
  }

  private skip(): void {
    const t = this.text;
    while (this.i < t.length && WS.has(t.charCodeAt(this.i))) this.i++;
  }

  private value(depth: number): unknown {
    if (depth > 512) this.fail('JSON nested too deeply');
    this.skip();
    const t = this.text;
    const c = t[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (t.startsWith('true', this.i)) {
      this.i += 4;
      return true;
    }
    if (t.startsWith('false', this.i)) {
      this.i += 5;
      return false;
    }
    if (t.startsWith('null', this.i)) {
      this.i += 4;
      return null;
    }
    NUMBER_RE.lastIndex = this.i;
    const m = NUMBER_RE.exec(t);
    if (m === null) this.fail(c === undefined ? 'unexpected end of JSON' : `unexpected character ${c}`);
    this.i += m[0].length;
    const n = Number(m[0]);
    if (m[1] === undefined && m[2] === undefined) return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    if (this.taggedDoubles && Number.isInteger(n)) return { [DOUBLE_TAG]: n };
    return n;
  }

  private string(): string {
    STRING_RE.lastIndex = this.i;
    const m = STRING_RE.exec(this.text);
    if (m === null) this.fail('malformed string');
    this.i += m[0].length;
    return m[0].includes('\\') ? (JSON.parse(m[0]) as string) : m[0].slice(1, -1);
  }

  private object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    this.skip();
    if (this.text[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.skip();
      if (this.text[this.i] !== '"') this.fail('expected a property name');
      const key = this.string();
      this.skip();
      if (this.text[this.i] !== ':') this.fail('expected ":"');
      this.i++;
      const v = this.value(depth + 1);
      // Same semantics as JSON.parse for "__proto__": an own property, not the prototype.
      Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true });
      this.skip();
      const c = this.text[this.i++];
      if (c === '}') return out;
      if (c !== ',') this.fail('expected "," or "}"');
    }
  }

  private array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.skip();
    if (this.text[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.skip();
      const c = this.text[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected "," or "]"');
    }
  }
}
