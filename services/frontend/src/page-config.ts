/**
 * What the page needs to trace itself: the server (`src/node`) serves it as `/config.json`, the
 * page (`src/browser`) reads it before it starts tracing. Types only, shared by both sides.
 */
export interface PageConfig {
  serviceName: string;
  serviceVersion: string;
  backendUrl: string;
  otlpUrl: string;
  viewerUrl: string;
  sampleRate: number;
}
