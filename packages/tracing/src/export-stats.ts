import {
  type Attributes,
  type Counter,
  createNoopMeter,
  type Meter,
  type MeterProvider,
  type ObservableCallback,
  type ObservableUpDownCounter,
} from '@opentelemetry/api';

/** What happened to the spans this process ended, since start. */
export interface ExportStats {
  /** Spans the exporter delivered. */
  readonly exported: number;
  /** Spans in export requests that failed (collector down, timeout, rejected). */
  readonly failed: number;
  /** Spans dropped because the export queue was full. */
  readonly dropped: number;
  /** Spans waiting in the queue right now. */
  readonly queued: number;
}

// The metric the SDK's BatchSpanProcessor reports through its self-observability hook.
const PROCESSED = 'otel.sdk.processor.span.processed';
const QUEUE_SIZE = 'otel.sdk.processor.span.queue.size';
const QUEUE_FULL = 'queue_full';

/**
 * Counts exported, failed and dropped spans by listening to the BatchSpanProcessor's own
 * self-observability metrics (`selfObsMeterProvider`), so the numbers come from the SDK's queue
 * itself rather than from a second, guessing bookkeeping. Only the two instruments it needs are
 * real; every other instrument is the API's no-op.
 */
export class ExportStatsRecorder implements MeterProvider {
  private exported = 0;
  private failed = 0;
  private dropped = 0;
  private readonly queueCallbacks = new Set<ObservableCallback>();
  private readonly meter: Meter;

  constructor() {
    const noop = createNoopMeter();
    const processed: Counter = {
      add: (value: number, attributes?: Attributes) => this.onProcessed(value, attributes),
    };
    const queueSize: ObservableUpDownCounter = {
      addCallback: (callback) => this.queueCallbacks.add(callback),
      removeCallback: (callback) => this.queueCallbacks.delete(callback),
    };
    // Delegate everything to the no-op meter except the two instruments we listen to.
    this.meter = Object.create(noop) as Meter;
    this.meter.createCounter = ((name: string) =>
      name === PROCESSED ? processed : noop.createCounter(name)) as Meter['createCounter'];
    this.meter.createObservableUpDownCounter = ((name: string) =>
      name === QUEUE_SIZE
        ? queueSize
        : noop.createObservableUpDownCounter(name)) as Meter['createObservableUpDownCounter'];
  }

  getMeter(): Meter {
    return this.meter;
  }

  /** A snapshot of the counts. */
  snapshot(): ExportStats {
    return { exported: this.exported, failed: this.failed, dropped: this.dropped, queued: this.readQueue() };
  }

  private onProcessed(value: number, attributes?: Attributes): void {
    const errorType = attributes?.['error.type'];
    if (errorType === undefined) this.exported += value;
    else if (errorType === QUEUE_FULL) this.dropped += value;
    else this.failed += value;
  }

  private readQueue(): number {
    let queued = 0;
    for (const callback of this.queueCallbacks) {
      try {
        void callback({ observe: (value: number) => (queued += value) });
      } catch {
        // a misbehaving callback only costs the queue figure
      }
    }
    return queued;
  }
}
