import type { RunningCollector } from '@autobot/collector';

/** The in-process collector of {@link startTestCollector}. */
export type TestCollector = RunningCollector & {
  /** Base URL of the Jaeger-compatible query API. */
  queryUrl: string;
};

/**
 * The real collector, in this process, on ephemeral ports with an in-memory store and no UI.
 * `@autobot/collector` is loaded on first use, so importing this kit does not load the collector.
 */
export async function startTestCollector(): Promise<TestCollector> {
  const { startCollector } = await import('@autobot/collector');
  const collector = await startCollector({
    grpcPort: 0,
    httpPort: 0,
    queryPort: 0,
    dbPath: ':memory:',
    uiDir: null,
  });
  return Object.assign(collector, { queryUrl: `http://127.0.0.1:${collector.queryPort}` });
}
