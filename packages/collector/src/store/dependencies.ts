import type Database from 'better-sqlite3';
import type { BlockMeta } from './block-index.js';

/** A dependency edge between two services. */
export interface DependencyLink {
  parent: string;
  child: string;
  callCount: number;
  errorCount: number;
}

/**
 * Service-to-service call counts from parent/child spans that started in the window
 * (microseconds). Scans the window's spans once; bounded by `maxSpans` (default 2,000,000).
 */
export function computeDependencies(
  db: Database.Database,
  blocks: BlockMeta[],
  serviceName: (id: number) => string,
  startUs: number,
  endUs: number,
  maxSpans = 2_000_000,
): DependencyLink[] {
  const stmt = db.prepare(
    'SELECT trace_id, span_id, parent_id, svc_id, status FROM spans WHERE id BETWEEN ? AND ? AND start_us BETWEEN ? AND ?',
  );
  const owner = new Map<string, number>();
  const children: { key: string; svc: number; error: boolean }[] = [];
  // Rows stored twice by a retried export before duplicates were dropped at ingest count once.
  const counted = new Set<string>();
  let seen = 0;
  for (let i = blocks.length - 1; i >= 0 && seen < maxSpans; i--) {
    const b = blocks[i] as BlockMeta;
    if (b.maxStart < startUs || b.minStart > endUs) continue;
    for (const r of stmt.iterate(b.lo, b.hi, startUs, endUs) as IterableIterator<{
      trace_id: string;
      span_id: string;
      parent_id: string;
      svc_id: number;
      status: number;
    }>) {
      seen++;
      const key = `${r.trace_id}:${r.span_id}`;
      if (counted.has(key)) continue;
      counted.add(key);
      owner.set(key, r.svc_id);
      if (r.parent_id !== '')
        children.push({ key: `${r.trace_id}:${r.parent_id}`, svc: r.svc_id, error: r.status === 2 });
    }
  }
  const edges = new Map<string, DependencyLink>();
  for (const c of children) {
    const parentSvc = owner.get(c.key);
    if (parentSvc === undefined || parentSvc === c.svc) continue;
    const parent = serviceName(parentSvc);
    const child = serviceName(c.svc);
    const k = `${parent}\u0000${child}`;
    let e = edges.get(k);
    if (e === undefined) {
      e = { parent, child, callCount: 0, errorCount: 0 };
      edges.set(k, e);
    }
    e.callCount++;
    if (c.error) e.errorCount++;
  }
  return [...edges.values()].sort(
    (a, b) => a.parent.localeCompare(b.parent) || a.child.localeCompare(b.child),
  );
}
