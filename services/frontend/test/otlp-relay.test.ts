import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFrontendApp, type FrontendConfig, resolveFrontendConfig } from '../src/node/index.js';

const TOKEN = 'relay-unit-secret-7f3a9c';
const webDir = new URL('../dist/web', import.meta.url).pathname;

/** A stand-in collector: records what it receives, answers with `next`. */
interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}
const received: Received[] = [];
let next: { status: number; headers?: Record<string, string>; body?: string } = { status: 200, body: '{}' };
let upstream: Server;
let upstreamUrl: string;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      res.end(next.body ?? '');
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1/traces`;
});
afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

function frontend(env: Record<string, string> = {}) {
  const config: FrontendConfig = resolveFrontendConfig(webDir, {
    AUTOBOT_FRONTEND_RELAY_URL: upstreamUrl,
    OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${TOKEN}`,
    ...env,
  });
  return buildFrontendApp(config);
}

const span = JSON.stringify({ resourceSpans: [] });
const post = (
  app: ReturnType<typeof frontend>,
  body: string | Buffer,
  headers: Record<string, string> = {},
  remoteAddress = '10.0.0.1',
) =>
  app.inject({
    method: 'POST',
    url: '/v1/traces',
    headers: { 'content-type': 'application/json', ...headers },
    payload: body,
    remoteAddress,
  });

describe('OTLP relay (POST /v1/traces)', () => {
  it('relays the body and content type with the server token; the page headers stay behind', async () => {
    const app = frontend();
    received.length = 0;
    next = { status: 200, body: '{"partialSuccess":{}}' };
    const res = await post(app, span, { cookie: 'sid=abc', authorization: 'Bearer from-the-page' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{"partialSuccess":{}}');
    expect(received).toHaveLength(1);
    expect(received[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(received[0]?.headers.cookie).toBeUndefined();
    expect(received[0]?.headers['content-type']).toBe('application/json');
    expect(received[0]?.body.toString()).toBe(span);
    expect(res.body + JSON.stringify(res.headers)).not.toContain(TOKEN);
    await app.close();
  });

  it('passes protobuf and gzip through unchanged', async () => {
    const app = frontend();
    received.length = 0;
    next = { status: 200, body: '' };
    const gz = gzipSync(Buffer.from(span));
    const res = await post(app, gz, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(res.statusCode).toBe(200);
    expect(received[0]?.headers['content-encoding']).toBe('gzip');
    expect(received[0]?.headers['content-type']).toBe('application/x-protobuf');
    expect(received[0]?.body.equals(gz)).toBe(true);
    await app.close();
  });

  it('refuses a body above the limit with 413 and a reason, compressed or not; nothing is relayed', async () => {
    const app = frontend({ AUTOBOT_FRONTEND_RELAY_MAX_BODY_BYTES: '2048' });
    received.length = 0;
    const big = post(app, 'x'.repeat(4096));
    const bomb = post(app, gzipSync(Buffer.alloc(100_000)), { 'content-encoding': 'gzip' });
    for (const res of await Promise.all([big, bomb])) {
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('AUTOBOT_ERR_FRONTEND_RELAY_BODY_TOO_LARGE');
      expect(res.json().error.message).toMatch(/2048 bytes \(AUTOBOT_FRONTEND_RELAY_MAX_BODY_BYTES\)/);
    }
    expect(received).toHaveLength(0);
    await app.close();
  });

  it('refuses what is not OTLP/HTTP (415) and broken gzip (400)', async () => {
    const app = frontend();
    expect((await post(app, 'hi', { 'content-type': 'text/plain' })).statusCode).toBe(415);
    expect((await post(app, span, { 'content-encoding': 'br' })).statusCode).toBe(415);
    const broken = await post(app, 'not gzip', { 'content-encoding': 'gzip' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('AUTOBOT_ERR_FRONTEND_RELAY_BAD_BODY');
    await app.close();
  });

  it('rate-limits per client address: 429 with Retry-After, another client still gets through', async () => {
    const app = frontend({ AUTOBOT_FRONTEND_RELAY_RATE_LIMIT: '3' });
    next = { status: 200, body: '{}' };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(app, span, {}, '10.0.0.7')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await post(app, span, {}, '10.0.0.7');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error.code).toBe('AUTOBOT_ERR_FRONTEND_RELAY_RATE_LIMITED');
    expect((await post(app, span, {}, '10.0.0.8')).statusCode).toBe(200);
    await app.close();
  });

  it('maps the collector answers: 401 → 502, 429/503 → 503 + Retry-After, 500 → 502, 400 passes', async () => {
    const app = frontend();
    const cases: [typeof next, number, string | undefined][] = [
      [{ status: 401, body: 'bad token' }, 502, 'AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_REFUSED'],
      [{ status: 429, headers: { 'retry-after': '7' } }, 503, 'AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_BUSY'],
      [{ status: 503 }, 503, 'AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_BUSY'],
      [{ status: 500 }, 502, 'AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_FAILED'],
      [{ status: 400, body: 'bad span' }, 400, undefined],
    ];
    for (const [answer, status, code] of cases) {
      next = answer;
      const res = await post(app, span);
      expect(res.statusCode, String(answer.status)).toBe(status);
      if (code) expect(res.json().error.code).toBe(code);
      expect(res.body).not.toContain(TOKEN);
      if (answer.status === 429) expect(res.headers['retry-after']).toBe('7');
    }
    await app.close();
  });

  it('answers 502 quickly when the collector is down', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const app = frontend({ AUTOBOT_FRONTEND_RELAY_URL: `http://127.0.0.1:${port}/v1/traces` });
    const started = Date.now();
    const res = await post(app, span);
    expect(res.statusCode).toBe(502);
    expect(res.json().error.code).toBe('AUTOBOT_ERR_FRONTEND_RELAY_UPSTREAM_UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(2000);
    await app.close();
  });
});

describe('relay configuration', () => {
  it('defaults: the page exports to /v1/traces on its own origin; a gRPC endpoint maps to 4318', () => {
    const config = resolveFrontendConfig(webDir, {});
    expect(config.otlpUrl).toBe('/v1/traces');
    expect(config.relay).toMatchObject({
      targetUrl: 'http://127.0.0.1:4318/v1/traces',
      maxBodyBytes: 1024 * 1024,
      rateLimitPerMinute: 300,
      timeoutMs: 10_000,
    });
    expect(
      resolveFrontendConfig(webDir, { AUTOBOT_JAEGER_ENDPOINT: 'https://10.1.2.3:4317' }).relay.targetUrl,
    ).toBe('https://10.1.2.3:4318/v1/traces');
    expect(
      resolveFrontendConfig(webDir, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c.example:4318' }).relay
        .targetUrl,
    ).toBe('https://c.example:4318/v1/traces');
    expect(
      resolveFrontendConfig(webDir, { AUTOBOT_FRONTEND_RELAY_URL: 'http://c.example:9999' }).relay.targetUrl,
    ).toBe('http://c.example:9999/v1/traces');
  });

  it('an invalid value warns once, naming the variable, and falls back', () => {
    const config = resolveFrontendConfig(webDir, {
      AUTOBOT_FRONTEND_RELAY_MAX_BODY_BYTES: 'lots',
      AUTOBOT_FRONTEND_RELAY_RATE_LIMIT: '-1',
      AUTOBOT_FRONTEND_RELAY_TIMEOUT_MS: '5',
      AUTOBOT_FRONTEND_RELAY_URL: 'ftp://x',
      AUTOBOT_BROWSER_OTLP_URL: '//evil.example/v1/traces',
      AUTOBOT_TRACE_SAMPLE_RATE: '2',
    });
    expect(config.relay).toMatchObject({ maxBodyBytes: 1048576, rateLimitPerMinute: 300, timeoutMs: 10_000 });
    expect(config.otlpUrl).toBe('/v1/traces');
    for (const variable of [
      'AUTOBOT_FRONTEND_RELAY_MAX_BODY_BYTES="lots"',
      'AUTOBOT_FRONTEND_RELAY_RATE_LIMIT="-1"',
      'AUTOBOT_FRONTEND_RELAY_TIMEOUT_MS="5"',
      'AUTOBOT_FRONTEND_RELAY_URL="ftp://x"',
      'AUTOBOT_BROWSER_OTLP_URL="//evil.example/v1/traces"',
    ]) {
      expect(config.warnings.filter((w) => w.startsWith(variable))).toHaveLength(1);
    }
    expect(config.warnings.filter((w) => w.startsWith('AUTOBOT_TRACE_SAMPLE_RATE'))).toHaveLength(1);
  });

  it('the credentials never reach /config.json or the page', async () => {
    const app = frontend();
    for (const url of ['/config.json', '/', '/api/health']) {
      const res = await app.inject({ url });
      expect(res.body, url).not.toContain(TOKEN);
    }
    expect((await app.inject({ url: '/config.json' })).json().otlpUrl).toBe('/v1/traces');
    await app.close();
  });
});
