import { type RunningCollector, startCollector } from '@autobot/collector';

export interface JaegerSpanView {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
  processID: string;
}
export interface JaegerTraceView {
  traceID: string;
  spans: JaegerSpanView[];
  processes: Record<string, { serviceName: string }>;
}

/** The real collector, in this process, on ephemeral ports with an in-memory store. */
export async function startTestCollector(): Promise<RunningCollector & { queryUrl: string }> {
  const collector = await startCollector({
    grpcPort: 0,
    httpPort: 0,
    queryPort: 0,
    dbPath: ':memory:',
    uiDir: null,
  });
  return Object.assign(collector, { queryUrl: `http://127.0.0.1:${collector.queryPort}` });
}

/** Poll the Jaeger API until the trace has at least `minSpans` spans (or time runs out). */
export async function waitForTrace(queryUrl: string, traceId: string, minSpans: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last: JaegerTraceView | undefined;
  while (Date.now() < deadline) {
    const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
    if (response.ok) {
      const body = (await response.json()) as { data: JaegerTraceView[] };
      last = body.data[0];
      if (last && last.spans.length >= minSpans) return last;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `trace ${traceId} has ${last?.spans.length ?? 0} span(s), expected ${minSpans}, after ${timeoutMs} ms`,
  );
}

/** Tag value of a Jaeger span. */
export const tag = (span: JaegerSpanView, key: string) => span.tags.find((t) => t.key === key)?.value;
/** Service of a Jaeger span. */
export const serviceOf = (trace: JaegerTraceView, span: JaegerSpanView) =>
  trace.processes[span.processID]?.serviceName;
/** Parent span id of a Jaeger span (CHILD_OF), if any. */
export const parentOf = (span: JaegerSpanView) =>
  span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
