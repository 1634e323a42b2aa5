/**
 * Turns a Jaeger JSON trace into the tree the waterfall draws: parent/child links, depth,
 * service, error flag, and the critical path. Pure functions, no DOM, unit-tested in Node.
 */
import type { JaegerTrace, KeyValue, SpanLog } from './api.js';

/** A span ready to draw. Times in µs. */
export interface SpanNode {
  spanID: string;
  parentID: string | undefined;
  name: string;
  service: string;
  startTime: number;
  duration: number;
  depth: number;
  children: SpanNode[];
  tags: KeyValue[];
  logs: SpanLog[];
  resource: KeyValue[];
  links: { traceID: string; spanID: string; refType: string }[];
  warnings: string[];
  isError: boolean;
  kind: string | undefined;
}

/** A built trace. */
export interface TraceModel {
  traceID: string;
  roots: SpanNode[];
  byId: Map<string, SpanNode>;
  startTime: number;
  endTime: number;
  duration: number;
  services: string[];
  depth: number;
  spanCount: number;
  errorCount: number;
}

/** Looks up a tag value by key. */
export function tagValue(tags: readonly KeyValue[], key: string): unknown {
  for (const t of tags) if (t.key === key) return t.value;
  return undefined;
}

function spanIsError(tags: readonly KeyValue[]): boolean {
  for (const t of tags) {
    if (t.key === 'error' && (t.value === true || t.value === 'true')) return true;
    if (t.key === 'otel.status_code' && String(t.value).toUpperCase() === 'ERROR') return true;
  }
  return false;
}

/** Builds the span tree. Spans whose parent is missing become extra roots (Jaeger does the same). */
export function buildTraceModel(trace: JaegerTrace): TraceModel {
  const byId = new Map<string, SpanNode>();
  for (const s of trace.spans) {
    const refs = s.references ?? [];
    const parentRef = refs.find((r) => r.refType === 'CHILD_OF' && r.traceID === trace.traceID) ?? refs[0];
    const process = trace.processes[s.processID];
    const tags = s.tags ?? [];
    const kindTag = tagValue(tags, 'span.kind');
    byId.set(s.spanID, {
      spanID: s.spanID,
      parentID: parentRef?.spanID,
      name: s.operationName,
      service: process?.serviceName ?? s.processID ?? 'unknown',
      startTime: s.startTime,
      duration: s.duration,
      depth: 0,
      children: [],
      tags,
      logs: s.logs ?? [],
      resource: process?.tags ?? [],
      links: refs.filter((r) => r !== parentRef).map((r) => ({ ...r })),
      warnings: s.warnings ?? [],
      isError: spanIsError(tags),
      kind: kindTag === undefined ? undefined : String(kindTag),
    });
  }
  const roots: SpanNode[] = [];
  for (const node of byId.values()) {
    const parent = node.parentID === undefined ? undefined : byId.get(node.parentID);
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const byStart = (a: SpanNode, b: SpanNode) => a.startTime - b.startTime || a.name.localeCompare(b.name);
  roots.sort(byStart);
  // Depth-first with an explicit stack: a 10,000-deep chain must not overflow the call stack,
  // and a reference cycle (corrupt data) must not loop forever.
  let maxDepth = 0;
  const seen = new Set<SpanNode>();
  const stack: SpanNode[] = [...roots].reverse();
  while (stack.length > 0) {
    const node = stack.pop() as SpanNode;
    seen.add(node);
    node.children.sort(byStart);
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i] as SpanNode;
      if (seen.has(child)) continue;
      child.depth = node.depth + 1;
      if (child.depth > maxDepth) maxDepth = child.depth;
      stack.push(child);
    }
  }
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  let errorCount = 0;
  const services = new Set<string>();
  for (const n of byId.values()) {
    start = Math.min(start, n.startTime);
    end = Math.max(end, n.startTime + n.duration);
    services.add(n.service);
    if (n.isError) errorCount++;
  }
  if (byId.size === 0) start = end = 0;
  return {
    traceID: trace.traceID,
    roots,
    byId,
    startTime: start,
    endTime: end,
    duration: end - start,
    services: [...services].sort(),
    depth: byId.size === 0 ? 0 : maxDepth + 1,
    spanCount: byId.size,
    errorCount,
  };
}

/**
 * Spans in display order (depth-first, children by start time), skipping the descendants of
 * collapsed spans. Iterative, so it is cheap to call again after every expand/collapse.
 */
export function visibleSpans(model: TraceModel, collapsed: ReadonlySet<string>): SpanNode[] {
  const out: SpanNode[] = [];
  const seen = new Set<SpanNode>();
  const stack: SpanNode[] = [...model.roots].reverse();
  while (stack.length > 0) {
    const node = stack.pop() as SpanNode;
    if (seen.has(node)) continue;
    seen.add(node);
    out.push(node);
    if (collapsed.has(node.spanID)) continue;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as SpanNode);
  }
  return out;
}

/** A stretch of time during which one span is on the critical path. µs. */
export interface CriticalSection {
  spanID: string;
  start: number;
  end: number;
  /** The phase of the span this stretch falls in (an LLM call's decode…); absent when unknown. */
  phase?: string;
}

/** A named phase of a span on the clock, µs; a span's phases are in order and do not overlap. */
export interface PhaseInterval {
  key: string;
  start: number;
  end: number;
}

/** Gives a span's phases (empty when it has none); see {@link criticalPath}. */
export type PhasesOf = (node: SpanNode) => readonly PhaseInterval[];

/**
 * The critical path: the chain of work that determines the trace's end-to-end duration.
 * Jaeger UI's walk: from the end, step back through the last-finishing child that ends by the
 * current point; time not covered by a child belongs to the parent. A span's end here is the
 * latest end in its subtree, so children that outlive their parent are followed — in a browser
 * trace the `submit` span ends after 3 ms while the fetch it started runs 600 ms, and that fetch
 * is the critical path. Children starting before their parent are clipped to its start (clock
 * skew); sections are drawn only within a span's own interval. Returns sections per span.
 *
 * With `phasesOf` (e.g. an LLM call's queue, load, prefill and decode), a span's sections are
 * cut at its phase boundaries and each piece carries its phase, so the critical time of a call
 * that is only partly on the path is attributed to the phases it actually covers. Stretches
 * outside every phase keep no phase.
 */
export function criticalPath(model: TraceModel, phasesOf?: PhasesOf): Map<string, CriticalSection[]> {
  const result = new Map<string, CriticalSection[]>();
  const subtreeEnd = subtreeEnds(model);
  const endOf = (node: SpanNode) => subtreeEnd.get(node) ?? node.startTime + node.duration;
  const root = model.roots.reduce<SpanNode | undefined>(
    (best, r) => (!best || endOf(r) > endOf(best) ? r : best),
    undefined,
  );
  if (!root) return result;
  const push = (node: SpanNode, from: number, to: number) => {
    const start = Math.max(from, node.startTime);
    const end = Math.min(to, node.startTime + node.duration);
    if (end <= start) return;
    const list = result.get(node.spanID) ?? [];
    const section = { spanID: node.spanID, start, end };
    list.push(...(phasesOf ? splitByPhase(section, phasesOf(node)) : [section]));
    result.set(node.spanID, list);
  };
  const clippedStart = (child: SpanNode, parent: SpanNode) => Math.max(child.startTime, parent.startTime);

  // Iterative walk. `until` is the time the walk came back from (a child's start), if any.
  let current: SpanNode | undefined = root;
  let until: number | undefined;
  let guard = model.spanCount * 4 + 10;
  while (current && guard-- > 0) {
    const cur: SpanNode = current;
    const limit = until ?? endOf(cur);
    let last: SpanNode | undefined;
    let lastEnd = Number.NEGATIVE_INFINITY;
    for (const child of cur.children) {
      const e = endOf(child);
      // Coming back from a child at `until`: a sibling may end exactly there (back-to-back
      // work), but must start before it, which keeps the walk strictly moving back in time.
      const ok = until === undefined ? true : e <= until && clippedStart(child, cur) < until;
      if (ok && e > lastEnd) {
        last = child;
        lastEnd = e;
      }
    }
    if (last) {
      push(cur, Math.min(lastEnd, limit), limit);
      current = last;
      until = undefined;
    } else {
      push(cur, cur.startTime, limit);
      if (cur === root) break;
      const parent = cur.parentID === undefined ? undefined : model.byId.get(cur.parentID);
      until = parent ? clippedStart(cur, parent) : undefined;
      current = parent;
    }
  }
  return result;
}

/** Cuts a section at the phase boundaries; pieces outside every phase keep no phase. */
export function splitByPhase(section: CriticalSection, phases: readonly PhaseInterval[]): CriticalSection[] {
  const out: CriticalSection[] = [];
  let cursor = section.start;
  for (const p of phases) {
    const start = Math.max(cursor, p.start);
    const end = Math.min(section.end, p.end);
    if (end <= start) continue;
    if (start > cursor) out.push({ spanID: section.spanID, start: cursor, end: start });
    out.push({ spanID: section.spanID, start, end, phase: p.key });
    cursor = end;
  }
  if (cursor < section.end) out.push({ spanID: section.spanID, start: cursor, end: section.end });
  return out;
}

/** Latest end (µs) in each span's subtree, itself included; iterative (traces can be deep). */
function subtreeEnds(model: TraceModel): Map<SpanNode, number> {
  const ends = new Map<SpanNode, number>();
  const order: SpanNode[] = [];
  const stack = [...model.roots];
  const seen = new Set<SpanNode>();
  while (stack.length > 0) {
    const node = stack.pop() as SpanNode;
    if (seen.has(node)) continue;
    seen.add(node);
    order.push(node);
    for (const child of node.children) stack.push(child);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i] as SpanNode;
    let end = node.startTime + node.duration;
    for (const child of node.children)
      end = Math.max(end, ends.get(child) ?? child.startTime + child.duration);
    ends.set(node, end);
  }
  return ends;
}
