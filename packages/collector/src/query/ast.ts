/** Comparison operators of the query language. */
export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '=~' | '!~';

/** Intrinsic span fields. */
export type IntrinsicName = 'service' | 'name' | 'status' | 'kind' | 'duration' | 'traceId';

/** What a comparison looks at: an intrinsic, or an attribute in a scope (`any` = span or resource). */
export type Field =
  | { kind: 'intrinsic'; name: IntrinsicName }
  | { kind: 'attr'; scope: 'span' | 'resource' | 'any'; key: string };

/**
 * A literal. `word` is an unquoted identifier-like value (`frontend`, `asyncssh_error`, `true`):
 * it matches a string equal to it, and `true`/`false` also match booleans.
 */
export type Literal =
  | { type: 'number'; value: number; text: string }
  | { type: 'string'; value: string }
  | { type: 'word'; value: string }
  | { type: 'duration'; us: number; text: string };

/** One comparison, `column` is 1-based in the source text. */
export interface Comparison {
  type: 'cmp';
  field: Field;
  op: CompareOp;
  value: Literal;
  /**
   * Compiled regular expression for `=~` / `!~` (fully anchored, V8's linear-time engine). Set by
   * the parser; matching goes through the pattern text, so an AST built in code needs none.
   */
  regex?: RegExp;
  column: number;
}

/** A boolean expression over one span; a trace matches when any of its spans matches. */
export type QueryNode =
  | Comparison
  | { type: 'and'; items: QueryNode[] }
  | { type: 'or'; items: QueryNode[] }
  | { type: 'not'; item: QueryNode };

/** Status names by OTLP code. */
export const STATUS_CODES: Record<string, number> = { unset: 0, ok: 1, error: 2 };

/** Span kind numbers by name. */
export const KIND_CODES: Record<string, number> = {
  unspecified: 0,
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
};
