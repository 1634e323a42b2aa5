// The Jaeger JSON wire model the query API serves (`/api/traces/{id}`, `/api/traces`): defined
// once here and exported type-only from the package index, so the viewer (a browser bundle) and
// the tests read the same shapes the collector writes.

/** A Jaeger key/value: a span tag, a process tag or a log field (`type` as Jaeger spells it). */
export interface JaegerTag {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64' | 'binary';
  /** int64 beyond 2^53 is a bigint, written as an exact JSON integer (as Jaeger's Go encoder does). */
  value: string | number | bigint | boolean;
}

/** A span reference: `CHILD_OF` names the parent, `FOLLOWS_FROM` a link. */
export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

/** A Jaeger log, i.e. an OpenTelemetry span event. `timestamp` in microseconds since the epoch. */
export interface JaegerLog {
  timestamp: number;
  fields: JaegerTag[];
}

/** A span in Jaeger's JSON model. `startTime` (since the epoch) and `duration` in microseconds. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: JaegerReference[];
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: JaegerLog[];
  processID: string;
  warnings: string[] | null;
  flags: number;
}

/** A Jaeger process: the OpenTelemetry resource that reported spans, by service name. */
export interface JaegerProcess {
  serviceName: string;
  tags: JaegerTag[];
}

/** A trace in Jaeger's JSON model; `processes` is keyed by `JaegerSpan.processID`. */
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, JaegerProcess>;
  warnings: string[] | null;
}
