import { redactUrl } from '@autobot/tracing/redact';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace-web';

/** Span attributes that hold a URL, as the web instrumentations (document load, fetch, user interaction) set them. */
export const URL_ATTRIBUTES = ['url.full', 'http.url'] as const;

/**
 * Redacts the URL attributes of every page span just before it ends, with the same rules every
 * service uses (`@autobot/tracing/redact`), so the page's own location (`?token=…`,
 * `#access_token=…`) never reaches the exporter. Put it before the exporting processor.
 */
export class RedactUrlSpanProcessor implements SpanProcessor {
  onStart(): void {}

  onEnding(span: Span): void {
    try {
      for (const key of URL_ATTRIBUTES) {
        const value = span.attributes[key];
        if (typeof value === 'string') {
          const redacted = redactUrl(value);
          if (redacted !== value) span.setAttribute(key, redacted);
        }
      }
    } catch {
      // tracing never breaks the page
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
