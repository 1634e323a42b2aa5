import type { JaegerSpan, JaegerTrace } from '@autobot/collector';

/** The trace from the collector's `/api/traces/{id}` at `baseUrl`, or undefined when it has none. */
export async function getTrace(baseUrl: string, traceId: string): Promise<JaegerTrace | undefined> {
  const response = await fetch(`${baseUrl}/api/traces/${traceId}`);
  if (!response.ok) return undefined;
  return ((await response.json()) as { data?: JaegerTrace[] }).data?.[0];
}

/**
 * Polls `/api/traces/{id}` every 100 ms until the trace satisfies `until`: a minimum span count
 * or a predicate (the store commits asynchronously and spans of one trace arrive from several
 * processes). Resolves with that trace; rejects after `timeoutMs` naming what was last seen.
 */
export async function waitForTrace(
  baseUrl: string,
  traceId: string,
  until: number | ((trace: JaegerTrace) => boolean),
  timeoutMs = 15_000,
): Promise<JaegerTrace> {
  const done = typeof until === 'number' ? (t: JaegerTrace) => t.spans.length >= until : until;
  const deadline = Date.now() + timeoutMs;
  let last: JaegerTrace | undefined;
  while (Date.now() < deadline) {
    last = await getTrace(baseUrl, traceId);
    if (last && done(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  const expected = typeof until === 'number' ? `${until} span(s)` : 'the expected shape';
  throw new Error(
    `trace ${traceId} has ${last?.spans.length ?? 0} span(s) from ${[...services(last)].join(', ') || 'no service'}, expected ${expected}, after ${timeoutMs} ms`,
  );
}

/** Value of the tag `key` of a span, or undefined. */
export const tag = (span: JaegerSpan, key: string): unknown => span.tags.find((t) => t.key === key)?.value;

/** Service name of the process that reported `span`. */
export const serviceOf = (trace: JaegerTrace, span: JaegerSpan): string | undefined =>
  trace.processes[span.processID]?.serviceName;

/** Parent span id of a span (its CHILD_OF reference), if any. */
export const parentOf = (span: JaegerSpan): string | undefined =>
  span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;

/** The service names that reported spans in `trace` (empty for undefined). */
export const services = (trace: JaegerTrace | undefined): Set<string> =>
  new Set(Object.values(trace?.processes ?? {}).map((p) => p.serviceName));
