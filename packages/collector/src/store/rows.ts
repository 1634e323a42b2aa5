import { parseExact, STORED_JSON, stringifyExact } from '../json-exact.js';
import type { Attributes, SpanEvent, SpanInput, SpanLink, StoredSpan } from '../model.js';
import type { Catalog } from './catalog.js';

/** A `spans` row as better-sqlite3 returns it. */
export interface SpanRowDb {
  id: number;
  trace_id: string;
  span_id: string;
  parent_id: string;
  res_id: number;
  scope_id: number;
  svc_id: number;
  op_id: number;
  kind: number;
  start_us: number;
  dur_us: number;
  /** Nanoseconds past `start_us` (0–999; 0 in rows written before schema 2). */
  start_ns_rem: number;
  /** Nanoseconds past `dur_us` (0–999). */
  dur_ns_rem: number;
  status: number;
  status_msg: string | null;
  attrs: string;
  extra: string | null;
}

/** The `spans` columns in the order {@link spanRowOf} reads them. */
export const SPAN_COLUMNS = [
  'id',
  'trace_id',
  'span_id',
  'parent_id',
  'res_id',
  'scope_id',
  'svc_id',
  'op_id',
  'kind',
  'start_us',
  'dur_us',
  'start_ns_rem',
  'dur_ns_rem',
  'status',
  'status_msg',
  'attrs',
  'extra',
] as const;

/** A row read in raw mode (values in {@link SPAN_COLUMNS} order) as a {@link SpanRowDb}. */
export function spanRowOf(a: unknown[]): SpanRowDb {
  return {
    id: a[0] as number,
    trace_id: a[1] as string,
    span_id: a[2] as string,
    parent_id: a[3] as string,
    res_id: a[4] as number,
    scope_id: a[5] as number,
    svc_id: a[6] as number,
    op_id: a[7] as number,
    kind: a[8] as number,
    start_us: a[9] as number,
    dur_us: a[10] as number,
    start_ns_rem: a[11] as number,
    dur_ns_rem: a[12] as number,
    status: a[13] as number,
    status_msg: a[14] as string | null,
    attrs: a[15] as string,
    extra: a[16] as string | null,
  };
}

/** Rarely-set span fields, stored as one JSON column (NULL when all are defaults). */
interface Extra {
  ts?: string;
  ev?: SpanEvent[];
  ln?: SpanLink[];
  fl?: number;
  da?: number;
  de?: number;
  dl?: number;
  dbl?: string[];
}

/** The `extra` column of a span: only non-default fields, or null. */
export function extraJson(s: SpanInput): string | null {
  const e: Extra = {};
  let any = false;
  if (s.traceState !== '') {
    e.ts = s.traceState;
    any = true;
  }
  if (s.events.length > 0) {
    e.ev = s.events;
    any = true;
  }
  if (s.links.length > 0) {
    e.ln = s.links;
    any = true;
  }
  if (s.flags !== 0) {
    e.fl = s.flags;
    any = true;
  }
  if (s.droppedAttributesCount) {
    e.da = s.droppedAttributesCount;
    any = true;
  }
  if (s.droppedEventsCount) {
    e.de = s.droppedEventsCount;
    any = true;
  }
  if (s.droppedLinksCount) {
    e.dl = s.droppedLinksCount;
    any = true;
  }
  if (s.doubleKeys) {
    e.dbl = s.doubleKeys;
    any = true;
  }
  return any ? stringifyExact(e) : null;
}

/** The `attrs` column of a span: JSON with exact int64 literals (SQLite reads them as INTEGER). */
export function attrsJson(attributes: Attributes): string {
  return stringifyExact(attributes);
}

/** Converts a `spans` row back to a span with its service, resource and scope. */
export function rowToSpan(r: SpanRowDb, catalog: Catalog): StoredSpan {
  const extra: Extra = r.extra === null ? {} : (parseExact(r.extra, STORED_JSON) as Extra);
  const op = catalog.ops.get(r.op_id);
  const resource = catalog.resources.get(r.res_id);
  const span: StoredSpan = {
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_id,
    traceState: extra.ts ?? '',
    name: op?.name ?? '',
    kind: r.kind,
    startUs: r.start_us,
    durationUs: r.dur_us,
    startNsRem: r.start_ns_rem ?? 0,
    durationNsRem: r.dur_ns_rem ?? 0,
    statusCode: r.status,
    statusMessage: r.status_msg ?? '',
    attributes: parseExact(r.attrs, STORED_JSON) as Attributes,
    events: extra.ev ?? [],
    links: extra.ln ?? [],
    flags: extra.fl ?? 0,
    droppedAttributesCount: extra.da ?? 0,
    droppedEventsCount: extra.de ?? 0,
    droppedLinksCount: extra.dl ?? 0,
    serviceName: catalog.serviceNames.get(r.svc_id) ?? 'unknown_service',
    resourceAttributes: resource?.attributes ?? {},
    resourceSchemaUrl: resource?.schemaUrl ?? '',
    resourceDroppedAttributesCount: resource?.droppedAttributesCount,
    scope: catalog.scopes.get(r.scope_id) ?? { name: '', version: '', attributes: {} },
  };
  if (extra.dbl) span.doubleKeys = extra.dbl;
  return span;
}
