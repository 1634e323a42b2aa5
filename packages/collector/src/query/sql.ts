import type { Comparison, Field, Literal, QueryNode } from './ast.js';
import { KIND_CODES, STATUS_CODES } from './ast.js';
import { literalPrefix } from './linear-regex.js';

/** A SQL boolean expression over the `spans` table aliased `s`, with positional parameters. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** Name of the SQL function registered on the connection for `=~` (anchored JS RegExp). */
export const REGEXP_FUNCTION = 'autobot_regexp';

/** JSON path of an attribute key (quoted so dots in keys are not path separators). */
export function jsonPath(key: string): string {
  return `$."${key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const NUMERIC_TEXT = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Text of a literal as written (strings unquoted). */
export function literalString(value: Literal): string {
  return value.type === 'number' || value.type === 'duration' ? value.text : value.value;
}

/** Numeric value of a literal compared with an attribute, or undefined when it has none. */
export function literalNumber(value: Literal, key: string): number | undefined {
  switch (value.type) {
    case 'number':
      return value.value;
    case 'duration': {
      // A duration compared with an attribute is converted to the unit the key names.
      if (/_ns$/.test(key)) return value.us * 1000;
      if (/_us$/.test(key)) return value.us;
      if (/_(s|sec|seconds)$/.test(key)) return value.us / 1_000_000;
      return value.us / 1000;
    }
    default:
      return NUMERIC_TEXT.test(value.value) ? Number(value.value) : undefined;
  }
}

const INT_TEXT = /^-?\d+$/;

/**
 * The number bound to SQL for a literal: a `bigint` for an integer beyond 2^53 within int64, so
 * SQLite compares it exactly with the stored int64 (a double would round it).
 */
function sqlNumber(value: Literal, key: string): number | bigint | undefined {
  const num = literalNumber(value, key);
  if (num === undefined || Number.isSafeInteger(num) || !Number.isInteger(num)) return num;
  const text = literalString(value);
  if (!INT_TEXT.test(text)) return num;
  const big = BigInt(text);
  return big >= -(2n ** 63n) && big < 2n ** 63n ? big : num;
}

function attrLeaf(src: string, cmp: Comparison, key: string, pathPrefix = '$.'): SqlFragment {
  const path = pathPrefix + jsonPath(key).slice(2);
  const t = `json_type(${src}, ?)`;
  const v = `json_extract(${src}, ?)`;
  const { op, value } = cmp;
  const text = literalString(value);
  const num = sqlNumber(value, key);
  if (op === '=~' || op === '!~') {
    const neg = op === '!~' ? 'NOT ' : '';
    const prefix = literalPrefix(text);
    // A value without the pattern's literal prefix cannot match: SQLite rules it out before the
    // JS function is called (a lone surrogate cannot be bound as UTF-8: those stay in JS).
    if (prefix !== '' && !/[\uD800-\uDFFF]/.test(prefix)) {
      const starts = `substr(${v}, 1, ${[...prefix].length}) = ?`;
      return op === '=~'
        ? {
            sql: `(${t} = 'text' AND ${starts} AND ${REGEXP_FUNCTION}(?, ${v}))`,
            params: [path, path, prefix, text, path],
          }
        : {
            sql: `(${t} = 'text' AND (NOT ${starts} OR NOT ${REGEXP_FUNCTION}(?, ${v})))`,
            params: [path, path, prefix, text, path],
          };
    }
    return {
      sql: `(${t} = 'text' AND ${neg}${REGEXP_FUNCTION}(?, ${v}))`,
      params: [path, text, path],
    };
  }
  if (op === '=' || op === '!=') {
    const parts: string[] = [];
    const params: unknown[] = [];
    if (value.type !== 'number' && value.type !== 'duration') {
      parts.push(`(${t} = 'text' AND ${v} = ?)`);
      params.push(path, path, text);
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === 'false') {
        parts.push(`${t} = ?`);
        params.push(path, lower);
      }
    } else {
      parts.push(`(${t} = 'text' AND ${v} = ?)`);
      params.push(path, path, text);
    }
    if (num !== undefined) {
      parts.push(`(${t} IN ('integer','real') AND ${v} = ?)`);
      params.push(path, path, num);
    }
    const eq = `(${parts.join(' OR ')})`;
    if (op === '=') return { sql: eq, params };
    return { sql: `(${t} IS NOT NULL AND NOT ${eq})`, params: [path, ...params] };
  }
  if (num !== undefined && value.type !== 'string') {
    return { sql: `(${t} IN ('integer','real') AND ${v} ${op} ?)`, params: [path, path, num] };
  }
  return { sql: `(${t} = 'text' AND ${v} ${op} ?)`, params: [path, path, text] };
}

function textLeaf(column: string, cmp: Comparison): SqlFragment {
  const text = literalString(cmp.value);
  switch (cmp.op) {
    case '=~':
      return { sql: `${REGEXP_FUNCTION}(?, ${column})`, params: [text] };
    case '!~':
      return { sql: `NOT ${REGEXP_FUNCTION}(?, ${column})`, params: [text] };
    default:
      return { sql: `${column} ${cmp.op} ?`, params: [text] };
  }
}

function intrinsicLeaf(cmp: Comparison, name: string): SqlFragment {
  const { op, value } = cmp;
  switch (name) {
    case 'service':
      return lookupLeaf('s.svc_id', 'services', cmp);
    case 'name':
      return lookupLeaf('s.op_id', 'ops', cmp);
    case 'duration':
      return { sql: `s.dur_us ${op} ?`, params: [value.type === 'duration' ? value.us : 0] };
    case 'status':
      return { sql: `s.status ${op} ?`, params: [STATUS_CODES[literalString(value).toLowerCase()]] };
    case 'kind':
      return { sql: `s.kind ${op} ?`, params: [KIND_CODES[literalString(value).toLowerCase()]] };
    default: {
      const leaf = textLeaf('s.trace_id', cmp);
      if (op === '=' || op === '!=') leaf.params = [literalString(value).toLowerCase()];
      return leaf;
    }
  }
}

// `name != x` and `name !~ x` mean "a span whose name is not x": negate the set, not the leaf.
function lookupLeaf(column: string, table: string, cmp: Comparison): SqlFragment {
  if (cmp.op === '!=' || cmp.op === '!~') {
    const positive = textLeaf('name', { ...cmp, op: cmp.op === '!=' ? '=' : '=~' });
    return {
      sql: `${column} NOT IN (SELECT id FROM ${table} WHERE ${positive.sql})`,
      params: positive.params,
    };
  }
  const leaf = textLeaf('name', cmp);
  return { sql: `${column} IN (SELECT id FROM ${table} WHERE ${leaf.sql})`, params: leaf.params };
}

/**
 * Span tags the Jaeger trace view shows that are not OTLP attributes, as SQL text expressions
 * (NULL when the view shows no such tag), so tag search and the query language find them.
 */
export const VIRTUAL_TAGS: Readonly<Record<string, string>> = {
  'otel.status_code': "CASE s.status WHEN 1 THEN 'OK' WHEN 2 THEN 'ERROR' END",
  'otel.status_description': 's.status_msg',
  'otel.scope.name': "(SELECT NULLIF(name, '') FROM scopes WHERE id = s.scope_id)",
  'otel.scope.version': "(SELECT NULLIF(version, '') FROM scopes WHERE id = s.scope_id)",
  'span.kind':
    "CASE s.kind WHEN 2 THEN 'server' WHEN 3 THEN 'client' WHEN 4 THEN 'producer' WHEN 5 THEN 'consumer' END",
  error: "CASE WHEN s.status = 2 THEN 'true' END",
  'w3c.tracestate': "json_extract(s.extra, '$.ts')",
};

function virtualLeaf(expr: string, cmp: Comparison): SqlFragment {
  const inner = textLeaf(expr, cmp);
  return { sql: `(${expr} IS NOT NULL AND ${inner.sql})`, params: inner.params };
}

// Event names and attributes, searchable like the fields of Jaeger logs.
function eventLeaf(cmp: Comparison, key: string): SqlFragment {
  const inner =
    key === 'event'
      ? virtualLeaf("json_extract(e.value, '$.name')", cmp)
      : attrLeaf('e.value', cmp, key, '$.attributes.');
  return {
    // Most spans have no events (extra is NULL): test that before opening json_each.
    sql: `(s.extra IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(s.extra, '$.ev') e WHERE ${inner.sql}))`,
    params: inner.params,
  };
}

function or(parts: SqlFragment[]): SqlFragment {
  return { sql: `(${parts.map((p) => p.sql).join(' OR ')})`, params: parts.flatMap((p) => p.params) };
}

function leaf(cmp: Comparison): SqlFragment {
  const field: Field = cmp.field;
  if (field.kind === 'intrinsic') return intrinsicLeaf(cmp, field.name);
  const spanPart = attrLeaf('s.attrs', cmp, field.key);
  const resLeaf = attrLeaf('attrs', cmp, field.key);
  const resPart = {
    sql: `s.res_id IN (SELECT id FROM resources WHERE ${resLeaf.sql})`,
    params: resLeaf.params,
  };
  const virtual = VIRTUAL_TAGS[field.key];
  const spanParts = virtual === undefined ? [spanPart] : [spanPart, virtualLeaf(virtual, cmp)];
  if (field.scope === 'span') return or(spanParts);
  if (field.scope === 'resource') return resPart;
  return or([...spanParts, resPart, eventLeaf(cmp, field.key)]);
}

/** Compiles a query AST to a SQL condition on `spans s`. `null` (match all) compiles to `1`. */
export function compileToSql(node: QueryNode | null): SqlFragment {
  if (node === null) return { sql: '1', params: [] };
  switch (node.type) {
    case 'cmp':
      return leaf(node);
    case 'not': {
      const inner = compileToSql(node.item);
      return { sql: `NOT (${inner.sql})`, params: inner.params };
    }
    default: {
      const parts = node.items.map(compileToSql);
      return {
        sql: `(${parts.map((p) => p.sql).join(node.type === 'and' ? ' AND ' : ' OR ')})`,
        params: parts.flatMap((p) => p.params),
      };
    }
  }
}
