import { CollectorError, QuerySyntaxError } from '../errors.js';
import {
  type CompareOp,
  type Comparison,
  type Field,
  type IntrinsicName,
  KIND_CODES,
  type Literal,
  type QueryNode,
  STATUS_CODES,
} from './ast.js';
import { compileLinearRegex } from './linear-regex.js';

type TokenType =
  | 'ident'
  | 'number'
  | 'duration'
  | 'string'
  | 'op'
  | 'lparen'
  | 'rparen'
  | 'and'
  | 'or'
  | 'not'
  | 'eof';

interface Token {
  type: TokenType;
  text: string;
  value?: string | number;
  column: number;
}

const DURATION_UNITS_US: Record<string, number> = {
  ns: 0.001,
  us: 1,
  µs: 1,
  ms: 1000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
};

const IDENT_START = /[A-Za-z_@]/;
const IDENT_CHAR = /[A-Za-z0-9_.\-/:@]/;
const NUMBER_RE = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const DURATION_RE = /^((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)(?![A-Za-z0-9_])/;
const OPS = ['=~', '!~', '!=', '>=', '<=', '==', '=', '>', '<'];

const INTRINSICS: Record<string, IntrinsicName> = {
  service: 'service',
  'service.name': 'service',
  name: 'name',
  status: 'status',
  kind: 'kind',
  duration: 'duration',
  traceid: 'traceId',
  trace_id: 'traceId',
  traceId: 'traceId',
};

/**
 * Parses a Go-style duration (`2s`, `150ms`, `1m30s`, `500us`, `1.5h`) to microseconds;
 * undefined when the text is not one.
 */
export function parseDurationUs(text: string): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m || m[0].length !== text.trim().length) return undefined;
  let total = 0;
  for (const part of text.trim().matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (DURATION_UNITS_US[part[2] as string] as number);
  }
  return total;
}

/** A token and the number of source characters it took. */
interface Scanned {
  token: Token;
  length: number;
}

/** Reads one kind of token at `i`, or answers undefined when the text there is not that kind. */
type Scanner = (source: string, i: number) => Scanned | undefined;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    if (/\s/.test(source[i] as string)) {
      i++;
      continue;
    }
    const { token, length } = scanToken(source, i);
    tokens.push(token);
    i += length;
  }
  tokens.push({ type: 'eof', text: '', column: source.length + 1 });
  return tokens;
}

/** The token at `i`: the first scanner of {@link SCANNERS} that reads one wins. */
function scanToken(source: string, i: number): Scanned {
  for (const scan of SCANNERS) {
    const scanned = scan(source, i);
    if (scanned !== undefined) return scanned;
  }
  const column = i + 1;
  throw new QuerySyntaxError(
    `unexpected character "${source[i]}" at column ${column}`,
    column,
    'a field, a value, an operator, "(" or ")"',
  );
}

const scanParen: Scanner = (source, i) => {
  const ch = source[i];
  if (ch !== '(' && ch !== ')') return undefined;
  return { token: { type: ch === '(' ? 'lparen' : 'rparen', text: ch, column: i + 1 }, length: 1 };
};

/** A quoted string, `"…"` or `'…'`; `\n` and `\t` are escapes, a backslash quotes any other character. */
const scanString: Scanner = (source, i) => {
  const quote = source[i];
  if (quote !== '"' && quote !== "'") return undefined;
  const column = i + 1;
  let j = i + 1;
  let value = '';
  while (j < source.length && source[j] !== quote) {
    if (source[j] === '\\' && j + 1 < source.length) {
      const next = source[j + 1] as string;
      value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      j += 2;
    } else {
      value += source[j];
      j++;
    }
  }
  if (j >= source.length) {
    throw new QuerySyntaxError(
      `unterminated string starting at column ${column}`,
      column,
      `closing ${quote}`,
    );
  }
  return { token: { type: 'string', text: source.slice(i, j + 1), value, column }, length: j + 1 - i };
};

/** `&&` and `||`, the symbol spellings of `and` and `or`. */
const scanLogical: Scanner = (source, i) => {
  if (!source.startsWith('&&', i) && !source.startsWith('||', i)) return undefined;
  const type = source[i] === '&' ? 'and' : 'or';
  return { token: { type, text: source.slice(i, i + 2), column: i + 1 }, length: 2 };
};

/** A comparison operator; `==` is read as `=`. */
const scanOperator: Scanner = (source, i) => {
  const op = OPS.find((o) => source.startsWith(o, i));
  if (op === undefined) return undefined;
  return { token: { type: 'op', text: op === '==' ? '=' : op, column: i + 1 }, length: op.length };
};

const scanNot: Scanner = (source, i) =>
  source[i] === '!' ? { token: { type: 'not', text: '!', column: i + 1 }, length: 1 } : undefined;

const scanDuration: Scanner = (source, i) => {
  const duration = DURATION_RE.exec(source.slice(i));
  if (!duration) return undefined;
  const text = duration[1] as string;
  return {
    token: { type: 'duration', text, value: parseDurationUs(text) as number, column: i + 1 },
    length: text.length,
  };
};

/** A number, unless it runs straight into a word character (`2xx`, `4/5`): that text is a word for {@link scanWord}. */
const scanNumber: Scanner = (source, i) => {
  const number = NUMBER_RE.exec(source.slice(i));
  if (!number || (source[i] === '-' && !/\d|\./.test(source[i + 1] ?? ''))) return undefined;
  const after = source[i + number[0].length] ?? '';
  if (IDENT_CHAR.test(after) && after !== '.' && after !== '-') return undefined;
  if (/[A-Za-z_]/.test(after)) return undefined;
  const text = number[0];
  return { token: { type: 'number', text, value: Number(text), column: i + 1 }, length: text.length };
};

/** A field name or bare word; `and`, `or` and `not` in any case are the keywords. */
const scanWord: Scanner = (source, i) => {
  const ch = source[i] as string;
  if (!IDENT_START.test(ch) && !/\d/.test(ch)) return undefined;
  let j = i + 1;
  while (j < source.length && IDENT_CHAR.test(source[j] as string)) j++;
  const text = source.slice(i, j);
  const lower = text.toLowerCase();
  const type: TokenType = lower === 'and' ? 'and' : lower === 'or' ? 'or' : lower === 'not' ? 'not' : 'ident';
  return { token: { type, text, column: i + 1 }, length: j - i };
};

/** Tried in this order at each position: the first that reads a token wins. */
const SCANNERS: readonly Scanner[] = [
  scanParen,
  scanString,
  scanLogical,
  scanOperator,
  scanNot,
  scanDuration,
  scanNumber,
  scanWord,
];

class Parser {
  private pos = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private next(): Token {
    return this.tokens[this.pos++] as Token;
  }

  private fail(token: Token, expected: string): never {
    const found = token.type === 'eof' ? 'end of query' : `"${token.text}"`;
    throw new QuerySyntaxError(
      `expected ${expected} at column ${token.column}, found ${found}`,
      token.column,
      expected,
    );
  }

  parse(): QueryNode {
    const node = this.parseOr();
    const token = this.peek();
    if (token.type !== 'eof') this.fail(token, '"and", "or" or end of query');
    return node;
  }

  private parseOr(): QueryNode {
    const items = [this.parseAnd()];
    while (this.peek().type === 'or') {
      this.next();
      items.push(this.parseAnd());
    }
    return items.length === 1 ? (items[0] as QueryNode) : { type: 'or', items };
  }

  private parseAnd(): QueryNode {
    const items = [this.parseUnary()];
    while (this.peek().type === 'and') {
      this.next();
      items.push(this.parseUnary());
    }
    return items.length === 1 ? (items[0] as QueryNode) : { type: 'and', items };
  }

  private parseUnary(): QueryNode {
    const token = this.peek();
    if (token.type === 'not') {
      this.next();
      return { type: 'not', item: this.parseUnary() };
    }
    if (token.type === 'lparen') {
      this.next();
      const node = this.parseOr();
      if (this.peek().type !== 'rparen') this.fail(this.peek(), '")"');
      this.next();
      return node;
    }
    return this.parseComparison();
  }

  private parseComparison(): Comparison {
    const fieldToken = this.next();
    if (fieldToken.type !== 'ident')
      this.fail(fieldToken, 'a field name (e.g. llm.duration_ms, service, duration)');
    const field = fieldOf(fieldToken.text);
    const opToken = this.next();
    if (opToken.type !== 'op') this.fail(opToken, 'an operator (= != > >= < <= =~ !~)');
    const op = opToken.text as CompareOp;
    const valueToken = this.next();
    const value = literalOf(valueToken, (expected) => this.fail(valueToken, expected));
    const cmp: Comparison = { type: 'cmp', field, op, value, column: fieldToken.column };
    validate(cmp, valueToken, (expected) => this.fail(valueToken, expected));
    return cmp;
  }
}

function fieldOf(text: string): Field {
  const intrinsic = INTRINSICS[text] ?? INTRINSICS[text.toLowerCase()];
  if (intrinsic !== undefined) return { kind: 'intrinsic', name: intrinsic };
  if (text.startsWith('resource.') && text.length > 9) {
    const key = text.slice(9);
    if (key === 'service.name') return { kind: 'intrinsic', name: 'service' };
    return { kind: 'attr', scope: 'resource', key };
  }
  if (text.startsWith('span.') && text.length > 5) return { kind: 'attr', scope: 'span', key: text.slice(5) };
  return { kind: 'attr', scope: 'any', key: text };
}

function literalOf(token: Token, fail: (expected: string) => never): Literal {
  switch (token.type) {
    case 'number':
      return { type: 'number', value: token.value as number, text: token.text };
    case 'duration':
      return { type: 'duration', us: token.value as number, text: token.text };
    case 'string':
      return { type: 'string', value: token.value as string };
    case 'ident':
      return { type: 'word', value: token.text };
    default:
      return fail('a value (number, duration like 2s, quoted string or word)');
  }
}

function literalText(value: Literal): string {
  switch (value.type) {
    case 'number':
    case 'duration':
      return value.text;
    default:
      return value.value;
  }
}

function validate(cmp: Comparison, token: Token, fail: (expected: string) => never): void {
  const { field, op, value } = cmp;
  if (op === '=~' || op === '!~') {
    if (value.type !== 'string' && value.type !== 'word') fail('a quoted regular expression');
    try {
      cmp.regex = compileLinearRegex(value.value, token.column + (value.type === 'string' ? 1 : 0));
    } catch (error) {
      // Too long / not linear: coded errors of their own, naming the construct.
      if (error instanceof CollectorError) throw error;
      throw new QuerySyntaxError(
        `invalid regular expression at column ${token.column}: ${(error as Error).message}`,
        token.column,
        'a valid regular expression',
      );
    }
    return;
  }
  if (field.kind !== 'intrinsic') return;
  const ordered = op === '>' || op === '>=' || op === '<' || op === '<=';
  switch (field.name) {
    case 'duration':
      if (value.type !== 'duration') fail('a duration with a unit (e.g. 2s, 150ms, 1m)');
      return;
    case 'status':
      if (ordered) fail('"=" or "!=" for status');
      if (!(literalText(value).toLowerCase() in STATUS_CODES)) fail('a status: ok, error or unset');
      return;
    case 'kind':
      if (ordered) fail('"=" or "!=" for kind');
      if (!(literalText(value).toLowerCase() in KIND_CODES)) {
        fail('a span kind: server, client, internal, producer, consumer or unspecified');
      }
      return;
    default:
      if (value.type === 'duration') fail('a string value');
  }
}

/**
 * Parses a query expression such as `llm.duration_ms > 5000`, `ssh.target_vm = frontend`,
 * `service = backend and (duration > 2s or status = error)`. Throws `QuerySyntaxError` with the
 * 1-based column and what was expected. An empty (whitespace-only) query returns `null` (match all).
 */
export function parseQuery(source: string): QueryNode | null {
  if (source.trim() === '') return null;
  return new Parser(tokenize(source)).parse();
}
