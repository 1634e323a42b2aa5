import { InvalidParameterError } from '../errors.js';
import { KIND_CODES } from '../query/ast.js';
import type { RedCell } from './red-aggregator.js';
import { type Sketch, sketchMerge, sketchQuantile } from './sketch.js';

/**
 * Jaeger's SPM API (`/api/metrics/{calls,errors,latencies,minstep}`), as the Jaeger UI Monitor
 * tab calls it: parameters and defaults from jaeger `cmd/jaeger/internal/extension/jaegerquery/
 * internal/query_parser.go` (`parseMetricsQueryParams`), response shapes from `proto-gen/api_v2/
 * metrics/openmetrics.pb.go` marshalled with jsonpb, names and help texts from the Prometheus
 * metric store's `reader.go`.
 */

/** Parsed SPM parameters (times and durations in ms). */
export interface SpmParams {
  services: string[];
  kinds: number[];
  groupByOperation: boolean;
  endMs: number;
  lookbackMs: number;
  stepMs: number;
  ratePerMs: number;
}

/** The finest step this store can answer: its buckets are one minute. */
export const SPM_MIN_STEP_MS = 60_000;
/** Refuse queries with more points per series than this (400). */
export const SPM_MAX_POINTS = 20_000;

type Query = Record<string, unknown>;
const all = (v: unknown): string[] => (v === undefined ? [] : [v].flat().map(String));
const first = (v: unknown): string | undefined => all(v)[0];

function parseError(param: string, detail: string): InvalidParameterError {
  return new InvalidParameterError(`unable to parse param '${param}': ${detail}`);
}

function intMs(q: Query, param: string, dflt: number, positive: boolean): number {
  const raw = first(q[param]);
  if (raw === undefined || raw === '') return dflt;
  if (!/^-?\d+$/.test(raw)) throw parseError(param, `strconv.ParseInt: parsing "${raw}": invalid syntax`);
  const n = Number(raw);
  if (positive && n <= 0) throw parseError(param, `must be a positive number of milliseconds, got ${raw}`);
  return n;
}

const BOOLS: Record<string, boolean> = {
  '1': true,
  t: true,
  T: true,
  true: true,
  TRUE: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  false: false,
  FALSE: false,
  False: false,
};

/** Parses and validates the SPM query; throws `InvalidParameterError` (400) like Jaeger does. */
export function parseSpmParams(q: Query, nowMs = Date.now()): SpmParams {
  const services = all(q.service);
  if (services.length === 0) throw parseError('service', 'please provide at least one service name');
  const gb = first(q.groupByOperation);
  if (gb !== undefined && gb !== '' && BOOLS[gb] === undefined) {
    throw parseError('groupByOperation', `strconv.ParseBool: parsing "${gb}": invalid syntax`);
  }
  const kindNames = all(q.spanKind);
  const kinds =
    kindNames.length === 0
      ? [2]
      : kindNames.map((k) => (Object.hasOwn(KIND_CODES, k) ? (KIND_CODES[k] as number) : Number.NaN));
  const bad = kindNames.find((_, i) => Number.isNaN(kinds[i]));
  if (bad !== undefined) throw parseError('spanKind', `unsupported span kind: '${bad}'`);
  const p: SpmParams = {
    services,
    kinds,
    groupByOperation: gb !== undefined && gb !== '' && (BOOLS[gb] as boolean),
    endMs: intMs(q, 'endTs', nowMs, false),
    lookbackMs: intMs(q, 'lookback', 3_600_000, true),
    stepMs: intMs(q, 'step', 5_000, true),
    ratePerMs: intMs(q, 'ratePer', 600_000, true),
  };
  if (p.lookbackMs / p.stepMs > SPM_MAX_POINTS) {
    throw parseError('step', `lookback/step gives more than ${SPM_MAX_POINTS} points`);
  }
  return p;
}

/** Parses `quantile` (required by `/api/metrics/latencies`), 0 < q ≤ 1. */
export function parseQuantile(q: Query): number {
  const raw = first(q.quantile) ?? '';
  const n = Number(raw);
  if (raw === '' || !Number.isFinite(n))
    throw parseError('quantile', `strconv.ParseFloat: parsing "${raw}": invalid syntax`);
  if (n <= 0 || n > 1) throw parseError('quantile', `must be in (0, 1], got ${raw}`);
  return n;
}

/** jsonpb's RFC 3339 timestamp: fraction only when non-zero. */
function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

type Kind = 'calls' | 'errors' | 'latencies';

interface SeriesAcc {
  service: string;
  operation: string;
  minutes: Map<number, { calls: number; errors: number; sketch: Sketch }>;
}

/**
 * Answers one SPM query from the RED minutes, as a Jaeger `MetricFamily`. Each point at time t
 * covers the minutes that start in (t − ratePer, t] — the analogue of PromQL's `rate(…[ratePer])`
 * without its extrapolation; a point is left out when that window holds no calls (as Prometheus
 * returns no sample there). Latencies are in milliseconds, within the sketch's 1 % error.
 */
export function spmFamily(kind: Kind, cells: readonly RedCell[], p: SpmParams, quantile = 0.95) {
  const series = new Map<string, SeriesAcc>();
  for (const c of cells) {
    const operation = p.groupByOperation ? c.operation : '';
    const key = `${c.service}\u0000${operation}`;
    let s = series.get(key);
    if (s === undefined) {
      s = { service: c.service, operation, minutes: new Map() };
      series.set(key, s);
    }
    let m = s.minutes.get(c.minute);
    if (m === undefined) {
      m = { calls: 0, errors: 0, sketch: new Map() };
      s.minutes.set(c.minute, m);
    }
    m.calls += c.calls;
    m.errors += c.errors;
    if (kind === 'latencies') sketchMerge(m.sketch, c.sketch);
  }
  const startMs = p.endMs - p.lookbackMs;
  const metrics = [...series.values()]
    .sort((a, b) => (a.service + a.operation < b.service + b.operation ? -1 : 1))
    .map((s) => {
      const memo = new Map<string, number | null>();
      const metricPoints: { gaugeValue: { doubleValue: number }; timestamp: string }[] = [];
      for (let t = startMs; t <= p.endMs; t += p.stepMs) {
        // Minutes starting in (t − ratePer, t].
        const lo = Math.floor((t - p.ratePerMs) / 60_000) + 1;
        const hi = Math.floor(t / 60_000);
        const memoKey = `${lo}:${hi}`;
        let value = memo.get(memoKey);
        if (value === undefined) {
          let calls = 0;
          let errors = 0;
          const sketch: Sketch = new Map();
          for (let m = lo; m <= hi; m++) {
            const cell = s.minutes.get(m);
            if (cell === undefined) continue;
            calls += cell.calls;
            errors += cell.errors;
            if (kind === 'latencies') sketchMerge(sketch, cell.sketch);
          }
          if (calls === 0) value = null;
          else if (kind === 'calls') value = calls / (p.ratePerMs / 1000);
          else if (kind === 'errors') value = errors / calls;
          else value = (sketchQuantile(sketch, quantile) as number) / 1000;
          memo.set(memoKey, value);
        }
        if (value !== null)
          metricPoints.push({ gaugeValue: { doubleValue: value }, timestamp: timestamp(t) });
      }
      const labels = p.groupByOperation
        ? [
            { name: 'operation', value: s.operation },
            { name: 'service_name', value: s.service },
          ]
        : [{ name: 'service_name', value: s.service }];
      return { labels, metricPoints };
    });
  const base = { calls: 'service_call_rate', errors: 'service_error_rate', latencies: 'service_latencies' }[
    kind
  ];
  const help = {
    calls: 'calls/sec, grouped by service',
    errors: 'error rate, computed as a fraction of errors/sec over calls/sec, grouped by service',
    latencies: `${quantile.toFixed(2)}th quantile latency, grouped by service`,
  }[kind];
  return {
    name: p.groupByOperation ? base.replace('service', 'service_operation') : base,
    type: 'GAUGE',
    help: p.groupByOperation ? `${help} & operation` : help,
    metrics,
  };
}
