import { REDACTED, redactUrl } from '@autobot/tracing/redact';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-web';
import { describe, expect, it } from 'vitest';
import { RedactUrlSpanProcessor } from '../src/browser/redact-url.js';

describe('redactUrl (the page uses the library module)', () => {
  it('redacts credentials and secret query values, drops the fragment, keeps the rest', () => {
    expect(redactUrl('http://ann:s3cret@host:5173/chat?token=abc&lang=en&api_key=k#access_token=xyz')).toBe(
      `http://${REDACTED}:${REDACTED}@host:5173/chat?token=${REDACTED}&lang=en&api_key=${REDACTED}`,
    );
    expect(redactUrl('/assets/index.js?v=3')).toBe('/assets/index.js?v=3');
    expect(redactUrl('http://host/?SessionId=1&code=2&state=ok')).toBe(
      `http://host/?SessionId=${REDACTED}&code=${REDACTED}&state=ok`,
    );
    expect(redactUrl('http://[bad')).toBe('<unparsable url>');
  });
});

describe('RedactUrlSpanProcessor', () => {
  it('rewrites url.full / http.url set at any time before the span ends', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new RedactUrlSpanProcessor(), new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('test');
    const span = tracer.startSpan('documentLoad', {
      attributes: {
        'url.full': 'http://host/?token=canary-1#canary-2',
        'http.url': 'http://u:canary-3@host/',
      },
    });
    span.setAttribute('other', 'http://host/?token=kept-as-is');
    span.end();
    await provider.forceFlush();
    const [finished] = exporter.getFinishedSpans();
    expect(finished?.attributes['url.full']).toBe(`http://host/?token=${REDACTED}`);
    expect(finished?.attributes['http.url']).toBe(`http://${REDACTED}:${REDACTED}@host/`);
    expect(JSON.stringify(finished?.attributes)).not.toMatch(/canary-[123]/);
    await provider.shutdown();
  });
});
