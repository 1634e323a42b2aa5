import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { getTracingService, setTracingLogger } from '../../src/index.js';

/** Initialize the process TracingService with an in-memory exporter (once per test file). */
export function initInMemoryTracing(serviceName = 'test-svc') {
  const exporter = new InMemorySpanExporter();
  const tracing = getTracingService();
  setTracingLogger({ warn: () => {}, info: () => {} });
  tracing.initialize({ serviceName, spanExporter: exporter, handleSignals: false, scheduledDelayMs: 5 }, {});
  const spans = async (): Promise<ReadableSpan[]> => {
    await tracing.forceFlush();
    return exporter.getFinishedSpans();
  };
  /** Forget every span so far, including those still queued in the batch processor. */
  const reset = async (): Promise<void> => {
    await tracing.forceFlush();
    exporter.reset();
  };
  return { tracing, exporter, spans, reset };
}
