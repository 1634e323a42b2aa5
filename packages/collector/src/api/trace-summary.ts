import type { StoredSpan } from '../model.js';
import { nanosText, spanEnd } from './otlp-json.js';

/** A per-service line of a {@link V3TraceSummary}. */
export interface V3ServiceSummary {
  name: string;
  spanCount?: number;
  errorSpanCount?: number;
}

/**
 * `jaeger.api_v3.TraceSummary` in the protobuf JSON mapping, as Jaeger v2's
 * `/api/v3/trace-summaries` writes it: fields with default values left out, times as fixed64
 * decimal strings.
 */
export interface V3TraceSummary {
  traceId: string;
  rootServiceName?: string;
  rootOperationName?: string;
  minStartTimeUnixNano?: string;
  maxEndTimeUnixNano?: string;
  spanCount?: number;
  errorSpanCount?: number;
  orphanSpanCount?: number;
  services?: V3ServiceSummary[];
}

function cmpTime(aUs: number, aRem: number, bUs: number, bRem: number): number {
  return aUs - bUs || aRem - bRem;
}

/**
 * Summarises one trace the way Jaeger v2 does (`querysvc/summary.go`): the root is the earliest
 * span without a parent; an orphan has a parent id that is not in the trace. `spans` holds each
 * span once (see `TraceStore.getTrace`), so a retried export does not count twice.
 */
export function summarizeTrace(spans: StoredSpan[]): V3TraceSummary {
  const ids = new Set(spans.map((s) => s.spanId));
  const services = new Map<string, { spans: number; errors: number }>();
  let root: StoredSpan | undefined;
  let min: [number, number] | undefined;
  let max: [number, number] | undefined;
  let errors = 0;
  let orphans = 0;
  for (const s of spans) {
    let svc = services.get(s.serviceName);
    if (svc === undefined) {
      svc = { spans: 0, errors: 0 };
      services.set(s.serviceName, svc);
    }
    svc.spans++;
    if (s.statusCode === 2) {
      svc.errors++;
      errors++;
    }
    const startRem = s.startNsRem ?? 0;
    if (min === undefined || cmpTime(s.startUs, startRem, min[0], min[1]) < 0) min = [s.startUs, startRem];
    const end = spanEnd(s);
    if (max === undefined || cmpTime(end[0], end[1], max[0], max[1]) > 0) max = end;
    if (s.parentSpanId === '') {
      if (root === undefined || cmpTime(s.startUs, startRem, root.startUs, root.startNsRem ?? 0) < 0)
        root = s;
    } else if (!ids.has(s.parentSpanId)) {
      orphans++;
    }
  }
  const out: V3TraceSummary = { traceId: spans[0]?.traceId ?? '' };
  if (root?.serviceName) out.rootServiceName = root.serviceName;
  if (root?.name) out.rootOperationName = root.name;
  if (min !== undefined) out.minStartTimeUnixNano = nanosText(min[0], min[1]);
  if (max !== undefined) out.maxEndTimeUnixNano = nanosText(max[0], max[1]);
  if (spans.length > 0) out.spanCount = spans.length;
  if (errors > 0) out.errorSpanCount = errors;
  if (orphans > 0) out.orphanSpanCount = orphans;
  out.services = [...services.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, c]) => ({
      name,
      ...(c.spans > 0 ? { spanCount: c.spans } : {}),
      ...(c.errors > 0 ? { errorSpanCount: c.errors } : {}),
    }));
  return out;
}
