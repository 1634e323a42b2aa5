import { Counter, Registry } from 'prom-client';
import { SPAN_KIND_NAMES } from '../model.js';
import { PROM_BUCKETS_MS, type PromSeries } from './red-aggregator.js';

/** Prometheus names and labels of the OpenTelemetry Collector spanmetrics connector. */
export const CALLS_METRIC = 'traces_span_metrics_calls_total';
export const DURATION_METRIC = 'traces_span_metrics_duration_milliseconds';

const DURATION_HELP = 'Span durations in milliseconds, by service, span name, kind and status';
const STATUS_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

function labelsOf(s: PromSeries) {
  return {
    service_name: s.service,
    span_name: s.operation,
    span_kind: `SPAN_KIND_${(SPAN_KIND_NAMES[s.kind] ?? 'unspecified').toUpperCase()}`,
    status_code: STATUS_NAMES[s.status] ?? 'STATUS_CODE_UNSET',
  };
}

/**
 * A prom-client registry exposing the cumulative span metrics (since the collector started) read
 * from `series` at scrape time: a counter of calls and a duration histogram in milliseconds with
 * the spanmetrics connector's default buckets. Label values follow the connector
 * (`SPAN_KIND_SERVER`, `STATUS_CODE_ERROR`).
 */
export function createSpanMetricsRegistry(series: () => Iterable<PromSeries>): Registry {
  const registry = new Registry();
  new Counter({
    name: CALLS_METRIC,
    help: 'Number of spans, by service, span name, kind and status',
    labelNames: ['service_name', 'span_name', 'span_kind', 'status_code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of series()) this.inc(labelsOf(s), s.count);
    },
  });
  // prom-client's Histogram can only observe single values; the buckets are already counted, so
  // this metric hands the registry its values directly (the shape `Histogram.get()` returns).
  registry.registerMetric({
    name: DURATION_METRIC,
    help: DURATION_HELP,
    type: 'histogram',
    get: async () => {
      const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
      for (const s of series()) {
        const labels = labelsOf(s);
        let acc = 0;
        PROM_BUCKETS_MS.forEach((le, i) => {
          acc += s.buckets[i] as number;
          values.push({ labels: { ...labels, le }, value: acc, metricName: `${DURATION_METRIC}_bucket` });
        });
        values.push({
          labels: { ...labels, le: '+Inf' },
          value: s.count,
          metricName: `${DURATION_METRIC}_bucket`,
        });
        values.push({ labels, value: s.sumMs, metricName: `${DURATION_METRIC}_sum` });
        values.push({ labels, value: s.count, metricName: `${DURATION_METRIC}_count` });
      }
      return { name: DURATION_METRIC, help: DURATION_HELP, type: 'histogram', values, aggregator: 'sum' };
    },
  } as unknown as Parameters<Registry['registerMetric']>[0]);
  return registry;
}
