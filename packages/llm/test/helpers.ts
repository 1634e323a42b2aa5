import { context, type DiagLogger, DiagLogLevel, diag, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { type DevModelServer, startDevModel } from 'autobot-dev-model';
import { afterAll, afterEach, beforeAll } from 'vitest';

export interface Harness {
  exporter: InMemorySpanExporter;
  dev: DevModelServer;
  /** Warnings the OpenTelemetry SDK logged (e.g. "operation on ended Span"). */
  diagWarnings: string[];
}

/** Registers an in-memory tracer provider and starts the dev model; torn down after the file. */
export function useHarness(tokenDelayMs = 2): Harness {
  const harness = { exporter: new InMemorySpanExporter(), diagWarnings: [] as string[] } as Harness;
  let provider: TracerProvider;
  let contextManager: AsyncLocalStorageContextManager;
  beforeAll(async () => {
    provider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter: harness.exporter })],
    });
    trace.setGlobalTracerProvider(provider);
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
    const record = (...args: unknown[]) => harness.diagWarnings.push(args.map(String).join(' '));
    const logger: DiagLogger = {
      error: record,
      warn: record,
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    diag.setLogger(logger, DiagLogLevel.WARN);
    harness.dev = await startDevModel({ port: 0, tokenDelayMs });
  });
  afterAll(async () => {
    await harness.dev?.close();
    await provider?.shutdown();
    trace.disable();
    context.disable();
    diag.disable();
  });
  afterEach(() => {
    harness.exporter.reset();
    harness.diagWarnings.length = 0;
  });
  return harness;
}

/** Finished `llm.inference` spans. */
export function inferenceSpans(exporter: InMemorySpanExporter): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.name === 'llm.inference');
}

/** Everything an exporter would send, as text: names, attributes, events, status, resource. */
export function serializeSpans(spans: readonly ReadableSpan[]): string {
  return JSON.stringify(
    spans.map((s) => ({
      name: s.name,
      attributes: s.attributes,
      events: s.events,
      status: s.status,
      links: s.links,
      resource: s.resource.attributes,
    })),
  );
}

/** Waits a little so that a span that would wrongly end late (or twice) has the chance to. */
export const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first item, failing the test when there is none (instead of a non-null assertion). */
export function first<T>(items: readonly T[]): T {
  const item = items[0];
  if (item === undefined) throw new Error('expected at least one item');
  return item;
}
