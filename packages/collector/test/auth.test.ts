import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { grpcExport, newTraceId, postSpan, send } from '@autobot/test-kit';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../src/auth/bind-policy.js';
import { type RunningCollector, startCollector } from '../src/index.js';
import { startTestCollector } from './helpers.js';

const WRITE = 'write-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

describe('tokens on every port', () => {
  let c: RunningCollector;
  let http: string;
  let query: string;
  beforeAll(async () => {
    c = await startTestCollector({ writeToken: WRITE, readToken: READ });
    http = `http://127.0.0.1:${c.httpPort}`;
    query = `http://127.0.0.1:${c.queryPort}`;
  });
  afterAll(() => c.close());

  const stored = (traceId: string) => c.store.getTrace(traceId) !== null;

  it('OTLP/HTTP: no token, wrong token and the read token are refused with 401 and nothing stored', async () => {
    const before = c.sink.stats.unauthenticated;
    for (const token of [undefined, 'not-the-token-0123456789', READ]) {
      const id = newTraceId();
      const res = await postSpan(http, id, { token });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(JSON.parse(res.body).message).toMatch(/writ(e|ing)/);
      expect(stored(id)).toBe(false);
    }
    expect(c.sink.stats.unauthenticated).toBe(before + 3);
  });

  it('OTLP/HTTP: the write token stores the span, readable with the read token', async () => {
    const id = newTraceId();
    expect((await postSpan(http, id, { token: WRITE })).status).toBe(200);
    expect(stored(id)).toBe(true);
    const res = await send(`${query}/api/traces/${id}`, { headers: { authorization: `Bearer ${READ}` } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).data[0].traceID).toBe(id);
  });

  it('OTLP/gRPC: no token, wrong token, read token → UNAUTHENTICATED, nothing stored; write token → OK', async () => {
    const target = `127.0.0.1:${c.grpcPort}`;
    for (const token of [undefined, 'not-the-token-0123456789', READ]) {
      const id = newTraceId();
      const res = await grpcExport(target, id, { token });
      expect(res.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(stored(id)).toBe(false);
    }
    const id = newTraceId();
    expect((await grpcExport(target, id, { token: WRITE })).code).toBe(0);
    expect(stored(id)).toBe(true);
  });

  it('query API v1, v3 and /status: no token, wrong token and the write token are refused with 401', async () => {
    for (const path of ['/api/services', '/api/v3/services', '/status', '/api/search?q=service%3Dx']) {
      for (const token of [undefined, 'not-the-token-0123456789', WRITE]) {
        const res = await send(`${query}${path}`, {
          headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
        });
        expect(res.status, `${path} with ${token}`).toBe(401);
        expect(res.body).toContain('AUTOBOT_ERR_COLLECTOR_UNAUTHENTICATED');
        expect(res.body).not.toContain(WRITE);
      }
      const ok = await send(`${query}${path}`, { headers: { authorization: `Bearer ${READ}` } });
      expect(ok.status, path).toBe(200);
    }
    // Liveness stays public.
    expect((await send(`${query}/health`, {})).status).toBe(200);
  });

  it('/status counts the refusals and never shows a token', async () => {
    const res = await send(`${query}/status`, { headers: { authorization: `Bearer ${READ}` } });
    const status = JSON.parse(res.body);
    expect(status.ingest.unauthenticated).toBeGreaterThanOrEqual(6);
    expect(status.security).toMatchObject({ writeAuth: 'token', readAuth: 'token', tls: false });
    expect(res.body).not.toContain(WRITE);
    expect(res.body).not.toContain(READ);
  });

  it('sign-in trades the read token for an HttpOnly SameSite=Strict session cookie', async () => {
    const page = await send(`${query}/`, {});
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/login');
    const wrong = await send(`${query}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(WRITE)}`,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const res = await send(`${query}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(READ)}`,
    });
    expect(res.status).toBe(303);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(READ);
    const session = cookie.split(';')[0] as string;
    const api = await send(`${query}/api/services`, { headers: { cookie: session } });
    expect(api.status).toBe(200);
    // The session grants reading, never writing.
    const id = newTraceId();
    const write = await send(`${http}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session },
      body: '{}',
    });
    expect(write.status).toBe(401);
    expect(stored(id)).toBe(false);
    const out = await send(`${query}/logout`, { method: 'POST', headers: { cookie: session } });
    expect(out.status).toBe(303);
    expect((await send(`${query}/api/services`, { headers: { cookie: session } })).status).toBe(401);
  });
});

describe('limits', () => {
  it('a flood from one client gets 429 with Retry-After while another client still lands', async () => {
    const c = await startTestCollector({
      host: '127.0.0.1',
      writeToken: WRITE,
      receiverLimits: { requestsPerSecond: 5, burst: 5 },
    });
    try {
      const http = `http://127.0.0.1:${c.httpPort}`;
      const flood = await Promise.all(
        Array.from({ length: 30 }, () =>
          postSpan(http, newTraceId(), { token: WRITE, localAddress: '127.0.0.3' }),
        ),
      );
      const throttled = flood.filter((r) => r.status === 429);
      expect(throttled.length).toBeGreaterThanOrEqual(20);
      expect(Number(throttled[0]?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(c.sink.stats.rateLimited).toBe(throttled.length);
      const id = newTraceId();
      const other = await postSpan(http, id, { token: WRITE, localAddress: '127.0.0.4' });
      expect(other.status).toBe(200);
      expect(c.store.getTrace(id)).not.toBeNull();
    } finally {
      await c.close();
    }
  });

  it('gRPC: past the rate, RESOURCE_EXHAUSTED with RetryInfo and nothing stored', async () => {
    const c = await startTestCollector({ receiverLimits: { requestsPerSecond: 1, burst: 2 } });
    try {
      const target = `127.0.0.1:${c.grpcPort}`;
      const results = [];
      for (let i = 0; i < 4; i++) {
        const id = newTraceId();
        results.push({ id, ...(await grpcExport(target, id)) });
      }
      const refused = results.filter((r) => r.code === grpc.status.RESOURCE_EXHAUSTED);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      for (const r of refused) expect(c.store.getTrace(r.id)).toBeNull();
      const details = refused[0]?.metadata?.get('grpc-status-details-bin')[0] as Buffer;
      expect(details.toString('latin1')).toContain('type.googleapis.com/google.rpc.RetryInfo');
      expect(Number(refused[0]?.metadata?.get('grpc-retry-pushback-ms')[0])).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });

  it('query API: limit is capped at 1000, a lookback past 31 days answers 400 with the cap', async () => {
    const c = await startTestCollector();
    try {
      const q = `http://127.0.0.1:${c.queryPort}`;
      const big = await send(`${q}/api/search?q=service%3Dx&limit=5000`, {});
      expect(big.status).toBe(200);
      expect(JSON.parse(big.body).limit).toBe(1000);
      const far = await send(`${q}/api/traces?service=x&lookback=900h`, {});
      expect(far.status).toBe(400);
      expect(JSON.parse(far.body).errors[0].msg).toMatch(/31 days/);
      const deps = await send(`${q}/api/dependencies?endTs=${Date.now()}&lookback=${40 * 86_400_000}`, {});
      expect(deps.status).toBe(400);
      expect((await send(`${q}/api/traces?service=x&lookback=48h`, {})).status).toBe(200);
    } finally {
      await c.close();
    }
  });
});

describe('safe by default', () => {
  it('treats only 127.0.0.0/8 and ::1 as loopback', () => {
    for (const h of ['127.0.0.1', '127.0.0.2', '::1', 'localhost', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '172.16.168.23', '10.0.0.1', 'collector.internal', '128.0.0.1'])
      expect(isLoopbackHost(h)).toBe(false);
  });

  it('startCollector refuses a non-loopback host without credentials before binding anything', async () => {
    // 0.0.0.0 is never bound: the refusal comes first (the ports given are taken to prove it).
    await expect(startCollector({ host: '0.0.0.0', dbPath: ':memory:', uiDir: null })).rejects.toMatchObject({
      code: 'AUTOBOT_ERR_COLLECTOR_UNPROTECTED_BIND',
    });
    await expect(
      startCollector({ host: '0.0.0.0', dbPath: ':memory:', uiDir: null, writeToken: WRITE }),
    ).rejects.toMatchObject({ code: 'AUTOBOT_ERR_COLLECTOR_UNPROTECTED_BIND', message: /--read-token-file/ });
  });

  it('the CLI refuses with a message naming the flags (exit 2)', () => {
    const run = spawnSync(
      process.execPath,
      [
        CLI,
        'serve',
        '--host',
        '0.0.0.0',
        '--db',
        ':memory:',
        '--grpc-port',
        '0',
        '--http-port',
        '0',
        '--query-port',
        '0',
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    for (const flag of ['--write-token-file', '--read-token-file', '--insecure'])
      expect(run.stderr).toContain(flag);
    expect(run.stderr).toContain('AUTOBOT_ERR_COLLECTOR_UNPROTECTED_BIND');
  });

  it('tokens are checked on loopback too, and the two tokens must differ', async () => {
    await expect(startTestCollector({ writeToken: WRITE, readToken: WRITE })).rejects.toMatchObject({
      code: 'AUTOBOT_ERR_COLLECTOR_INVALID_OPTION',
    });
    await expect(startTestCollector({ writeToken: 'short' })).rejects.toMatchObject({
      code: 'AUTOBOT_ERR_COLLECTOR_INVALID_OPTION',
      message: expect.not.stringContaining('short"'),
    });
  });
});
