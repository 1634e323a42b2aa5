// The frontend's OTLP relay across process boundaries: a collector with TLS from our CA and write
// and read tokens (no CORS), the built frontend server relaying the page's export with its own
// token or client certificate, real Chromium loading the page, and the spans read back from the
// collector. The page never sees a credential.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { launchChromium, newTraceId, postSpan, send } from '@autobot/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Started } from '../helpers/processes.js';
import {
  FRONTEND,
  pollQuery,
  type SecuredCollector,
  startSecuredCollector,
  startService,
} from '../helpers/secured-collector.js';

let setup: SecuredCollector;
const services: Started[] = [];

const serve = async (env: Record<string, string>) => {
  const service = await startService(FRONTEND, {
    AUTOBOT_FRONTEND_HOST: '127.0.0.1',
    AUTOBOT_FRONTEND_PORT: '0',
    AUTOBOT_LOG_LEVEL: 'info',
    ...env,
  });
  services.push(service);
  return { ...service, url: `http://127.0.0.1:${service.port}` };
};
/** The frontend's credentials, the standard way: token header and our CA. */
const withToken = () => ({
  AUTOBOT_JAEGER_ENDPOINT: setup.otlpHttpUrl,
  OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${setup.writeToken}`,
  OTEL_EXPORTER_OTLP_CERTIFICATE: setup.files.ca,
});

let tokenFrontend: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  setup = await startSecuredCollector();
  tokenFrontend = await serve(withToken());
}, 60_000);

afterAll(async () => {
  for (const service of services) await service.stop();
  const logs = [setup.collector.output(), ...services.map((s) => s.output())].join('\n');
  await setup.stop();
  // No process printed a credential.
  expect(logs).not.toContain(setup.writeToken);
  expect(logs).not.toContain(setup.readToken);
});

describe('the frontend relays OTLP/HTTP to a secured collector', () => {
  it('with its write token over TLS: the span is stored and readable', async () => {
    const traceId = newTraceId();
    const res = await postSpan(tokenFrontend.url, traceId, { service: 'relay-e2e' });
    expect(res.status).toBe(200);
    expect(res.body).not.toContain(setup.writeToken);
    const stored = await pollQuery(setup, `/api/traces/${traceId}`);
    expect(stored.status).toBe(200);
    expect(JSON.parse(stored.body).data[0].traceID).toBe(traceId);
  });

  it('with a client certificate from our CA (mutual TLS, no token)', async () => {
    const mtls = await serve({
      AUTOBOT_FRONTEND_RELAY_URL: setup.otlpHttpUrl,
      OTEL_EXPORTER_OTLP_CERTIFICATE: setup.files.ca,
      OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: setup.files.clientCert,
      OTEL_EXPORTER_OTLP_CLIENT_KEY: setup.files.clientKey,
    });
    const traceId = newTraceId();
    expect((await postSpan(mtls.url, traceId, { service: 'relay-e2e' })).status).toBe(200);
    expect((await pollQuery(setup, `/api/traces/${traceId}`)).status).toBe(200);
  });

  it('a refused credential is a 502 naming the cause, never the token; nothing stored', async () => {
    const wrong = `wrong-${randomBytes(12).toString('hex')}`;
    const refused = await serve({
      ...withToken(),
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${wrong}`,
    });
    const traceId = newTraceId();
    const res = await postSpan(refused.url, traceId);
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body).error.code).toBe('AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_REFUSED');
    expect(res.body).toMatch(/HTTP 401/);
    expect(res.body + refused.output()).not.toContain(wrong);
    expect((await setup.query(`/api/traces/${traceId}`)).status).toBe(404);
  });

  it('refuses a body above its limit with 413 before the collector sees it', async () => {
    const small = await serve({ ...withToken(), AUTOBOT_FRONTEND_RELAY_MAX_BODY_BYTES: '4096' });
    const res = await send(`${small.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [], pad: 'x'.repeat(8192) }),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'AUTOBOT_ERR_FRONTEND_RELAY_BODY_TOO_LARGE' });
    expect(JSON.parse(res.body).error.message).toMatch(/4096 bytes/);
  });

  it('a flood from one client gets 429 with Retry-After while another client still gets through', async () => {
    const limited = await serve({ ...withToken(), AUTOBOT_FRONTEND_RELAY_RATE_LIMIT: '10' });
    const statuses: number[] = [];
    let retryAfter: unknown;
    for (let i = 0; i < 15; i++) {
      const res = await postSpan(limited.url, newTraceId(), { localAddress: '127.0.0.1' });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers['retry-after'];
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const traceId = newTraceId();
    const other = await postSpan(limited.url, traceId, { localAddress: '127.0.0.3', service: 'relay-e2e' });
    expect(other.status).toBe(200);
    expect((await pollQuery(setup, `/api/traces/${traceId}`)).status).toBe(200);
  });

  it('the collector down: 502 within a second or two, and the server keeps serving', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.2', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const orphan = await serve({
      ...withToken(),
      AUTOBOT_FRONTEND_RELAY_URL: `https://127.0.0.2:${port}/v1/traces`,
    });
    const started = Date.now();
    const res = await postSpan(orphan.url, newTraceId());
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body).error.code).toBe('AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await fetch(`${orphan.url}/api/health`)).status).toBe(200);
    expect(orphan.child.exitCode).toBeNull();
  });
});

describe('the page in Chromium', () => {
  it('exports through the relay: its spans land in the collector, the token is nowhere in the page', async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const seen: string[] = [];
      const requestHeaders: Record<string, string>[] = [];
      const pending: Promise<void>[] = [];
      page.on('request', (request) => {
        pending.push(
          request.allHeaders().then((headers) => {
            requestHeaders.push(headers);
            seen.push(`${request.method()} ${request.url()} ${JSON.stringify(headers)}`);
          }),
        );
      });
      page.on('response', (response) => {
        pending.push(
          response
            .body()
            .then((body) => {
              seen.push(`${response.url()} ${response.status()} ${body.toString('utf8')}`);
            })
            .catch(() => {}),
        );
      });
      const relayed = page.waitForResponse(
        (r) => r.url().endsWith('/v1/traces') && r.request().method() === 'POST',
      );
      await page.goto(tokenFrontend.url);
      await page.waitForSelector('body[data-ready="true"]');
      const answer = await relayed;
      expect(answer.status()).toBe(200);
      // The export went to the page's own origin, not to the collector.
      expect(new URL(answer.url()).origin).toBe(tokenFrontend.url);
      const stored = await pollQuery(setup, '/api/traces?service=autobot-frontend&limit=5', (body) =>
        body.includes('documentLoad'),
      );
      expect(stored.status).toBe(200);
      expect(stored.body).toContain('documentLoad');

      const storage = await page.evaluate(
        () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie,
      );
      const html = await page.content();
      await Promise.all(pending);
      const everything = [html, storage, ...seen].join('\n');
      // The control: what was collected includes the page, its bundle and the relay's answers.
      expect(everything).toContain('/v1/traces');
      expect(everything).toMatch(/assets\/index-[^"]+\.js/);
      expect(seen.some((s) => s.includes('/config.json'))).toBe(true);
      for (const secret of [setup.writeToken, setup.readToken]) expect(everything).not.toContain(secret);
      // The page sends no credential of any kind.
      for (const headers of requestHeaders) expect(Object.keys(headers)).not.toContain('authorization');
      await context.close();
    } finally {
      await browser.close();
    }
  });
});
