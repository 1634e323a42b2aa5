import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/** Registers an in-memory tracer provider; returns the exporter and a teardown. */
export function setupTracing(): { exporter: InMemorySpanExporter; teardown: () => Promise<void> } {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(contextManager);
  return {
    exporter,
    teardown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      contextManager.disable();
    },
  };
}
