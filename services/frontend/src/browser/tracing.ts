import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { UserInteractionInstrumentation } from '@opentelemetry/instrumentation-user-interaction';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  WebTracerProvider,
} from '@opentelemetry/sdk-trace-web';
import type { PageConfig } from '../page-config.js';
import { RedactUrlSpanProcessor } from './redact-url.js';

export type { PageConfig };

/** The page's tracing: flush before the page goes away. */
export interface PageTracing {
  flush(): Promise<void>;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Browser tracing: document load, user interactions (submit, click) and fetch, exported over
 * OTLP/HTTP to `config.otlpUrl`: by default `/v1/traces` on the page's own origin, which the
 * frontend server relays to the collector with its own credentials (the page holds none, and
 * the collector needs no CORS). A relative URL is resolved against the page. The fetch to
 * the backend carries `traceparent` (`propagateTraceHeaderCorsUrls`), so the interaction span in
 * the browser is the root of the whole trace. Call before adding event listeners: the
 * user-interaction instrumentation wraps listeners added after it is enabled.
 */
export function startPageTracing(config: PageConfig): PageTracing {
  const otlpUrl = new URL(config.otlpUrl, location.href).href;
  const provider = new WebTracerProvider({
    resource: resourceFromAttributes({
      'service.name': config.serviceName,
      'service.version': config.serviceVersion,
      'browser.user_agent': navigator.userAgent,
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRate) }),
    spanProcessors: [
      // The page's URL (location.href in document-load and interaction spans) may carry secrets.
      new RedactUrlSpanProcessor(),
      new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpUrl }), { scheduledDelayMillis: 500 }),
    ],
  });
  provider.register();
  const backend = new RegExp(`^${escapeRegExp(config.backendUrl)}(/|$)`);
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new DocumentLoadInstrumentation(),
      new UserInteractionInstrumentation({ eventNames: ['submit', 'click'] }),
      new FetchInstrumentation({
        propagateTraceHeaderCorsUrls: [backend],
        ignoreUrls: [new RegExp(`^${escapeRegExp(otlpUrl)}`), /\/config\.json$/],
        clearTimingResources: true,
      }),
    ],
  });
  // Export what is left when the tab is hidden or closed.
  addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') void provider.forceFlush();
  });
  return { flush: () => provider.forceFlush() };
}
