import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace-web';

/**
 * Secret-looking query parameter names: the same list `@autobot/tracing` redacts on the server
 * side (tokens, keys, passwords, signatures, sessions, codes), kept here because the page bundle
 * cannot import the Node library.
 */
const SECRET_PARAM = /(token|key|secret|password|passwd|pwd|auth|signature|sig|credential|session|code)/i;
/** What a secret value is replaced with. */
export const REDACTED = 'REDACTED';
/** Span attributes that hold a URL, as the web instrumentations (document load, fetch, user interaction) set them. */
export const URL_ATTRIBUTES = ['url.full', 'http.url'] as const;

/**
 * `url` without secrets: user and password replaced by `REDACTED`, secret-looking query values by
 * `REDACTED`, and the fragment dropped (it never reaches a server, and OAuth's implicit flow and
 * many single-page apps put tokens there). Relative URLs stay relative; unparsable input becomes
 * `<unparsable url>`. Never throws.
 */
export function redactPageUrl(url: string): string {
  try {
    const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
    const parsed = new URL(url, 'http://relative.invalid');
    if (parsed.username) parsed.username = REDACTED;
    if (parsed.password) parsed.password = REDACTED;
    for (const name of new Set(parsed.searchParams.keys())) {
      if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, REDACTED);
    }
    parsed.hash = '';
    const text = parsed.href;
    return absolute ? text : text.slice('http://relative.invalid'.length);
  } catch {
    return '<unparsable url>';
  }
}

/**
 * Redacts the URL attributes of every page span just before it ends, so the page's own location
 * (`?token=…`, `#access_token=…`) never reaches the exporter. Put it before the exporting processor.
 */
export class RedactUrlSpanProcessor implements SpanProcessor {
  onStart(): void {}

  onEnding(span: Span): void {
    try {
      for (const key of URL_ATTRIBUTES) {
        const value = span.attributes[key];
        if (typeof value === 'string') {
          const redacted = redactPageUrl(value);
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
