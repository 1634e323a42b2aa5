// The secured collector across process boundaries with real TLS: certificates from @autobot/pki
// (our CA, a foreign CA, an expired client certificate), the collector CLI on 127.0.0.2 with
// tokens and mutual TLS, a real service (npu-worker) exporting over TLS with a token, the CLI
// and doctor reading back, and the viewer sign-in in real Chromium.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { initCa, issueCertificate } from '@autobot/pki';
import { type ClientTls, grpcExport, launchChromium, newTraceId, postSpan, send } from '@autobot/test-kit';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CLI = join(ROOT, 'packages/collector/dist/cli/main.js');
const NPU_WORKER = join(ROOT, 'services/npu-worker/dist/main.js');
const HOST = '127.0.0.2';
const WRITE = `w-${randomBytes(18).toString('base64url')}`;
const READ = `r-${randomBytes(18).toString('base64url')}`;
const run = promisify(execFile);

let dir: string;
let collector: ChildProcess;
let ports: { grpcPort: number; httpPort: number; queryPort: number };
let ca: Buffer;
let good: ClientTls;
let foreign: ClientTls;
let expired: ClientTls;
let stderr = '';
const children: ChildProcess[] = [];

const pem = (path: string) => readFileSync(path);

function waitForJsonLine(child: ChildProcess, match: (line: Record<string, unknown>) => boolean) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      for (const line of out.split('\n')) {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (match(parsed)) {
            child.stdout?.off('data', onData);
            resolve(parsed);
            return;
          }
        } catch {
          // not a JSON line
        }
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'autobot-secure-'));
  const ours = await initCa({ dir: join(dir, 'pki') });
  const server = await issueCertificate(ours, {
    name: 'collector',
    ipAddresses: [HOST],
    dnsNames: ['localhost'],
  });
  const client = await issueCertificate(ours, { name: 'npu-worker', profile: 'client' });
  const old = await issueCertificate(ours, {
    name: 'old',
    profile: 'client',
    validityDays: 1,
    now: new Date(Date.now() - 10 * 86_400_000),
  });
  const theirs = await initCa({ dir: join(dir, 'foreign') });
  const intruder = await issueCertificate(theirs, { name: 'intruder', profile: 'client' });
  ca = pem(ours.layout.caCertPath);
  good = { ca, cert: pem(client.certPath), key: pem(client.keyPath) };
  expired = { ca, cert: pem(old.certPath), key: pem(old.keyPath) };
  foreign = { ca, cert: pem(intruder.certPath), key: pem(intruder.keyPath) };
  writeFileSync(join(dir, 'write.token'), `${WRITE}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'read.token'), `${READ}\n`, { mode: 0o600 });
  // biome-ignore format: one flag per line reads better
  collector = spawn(process.execPath, [
    CLI, 'serve', '--host', HOST, '--grpc-port', '0', '--http-port', '0', '--query-port', '0',
    '--db', join(dir, 'traces.db'),
    '--tls-cert', server.certPath, '--tls-key', server.keyPath, '--tls-client-ca', ours.layout.caCertPath,
    '--write-token-file', join(dir, 'write.token'), '--read-token-file', join(dir, 'read.token'),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(collector);
  collector.stderr?.on('data', (d) => {
    stderr += d;
  });
  const line = await waitForJsonLine(collector, (l) => l.event === 'listening');
  expect(line.tls).toBe(true);
  ports = line as unknown as typeof ports;
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  // Tokens never reach the collector's log.
  expect(stderr).not.toContain(WRITE);
  expect(stderr).not.toContain(READ);
  rmSync(dir, { recursive: true, force: true });
});

const https = () => `https://${HOST}:${ports.httpPort}`;
const queryUrl = () => `https://${HOST}:${ports.queryPort}`;
const readTrace = (id: string) =>
  send(`${queryUrl()}/api/traces/${id}`, { headers: { authorization: `Bearer ${READ}` }, tls: { ca } });

describe('OTLP/HTTP over TLS', () => {
  it('refuses no credential, a wrong token, a foreign and an expired client certificate; stores nothing', async () => {
    const cases: [string, Parameters<typeof postSpan>[2]][] = [
      ['none', { tls: { ca } }],
      ['wrong token', { tls: { ca }, token: `x${WRITE}` }],
      ['read token', { tls: { ca }, token: READ }],
      ['foreign certificate', { tls: foreign }],
      ['expired certificate', { tls: expired }],
    ];
    for (const [label, options] of cases) {
      const id = newTraceId();
      const res = await postSpan(https(), id, options);
      expect(res.status, label).toBe(401);
      expect((await readTrace(id)).status, label).toBe(404);
    }
  });

  it('accepts the write token, and a client certificate from our CA without a token', async () => {
    for (const options of [{ tls: { ca }, token: WRITE }, { tls: good }]) {
      const id = newTraceId();
      expect((await postSpan(https(), id, options)).status).toBe(200);
      const res = await readTrace(id);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).data[0].traceID).toBe(id);
    }
  });

  it('plain HTTP is not spoken on a TLS port', async () => {
    await expect(
      postSpan(`http://${HOST}:${ports.httpPort}`, newTraceId(), { token: WRITE }),
    ).rejects.toThrow();
  });
});

describe('OTLP/gRPC over TLS', () => {
  const target = () => `${HOST}:${ports.grpcPort}`;
  it('UNAUTHENTICATED for no credential, wrong token, foreign or expired certificate; nothing stored', async () => {
    for (const [label, options] of [
      ['none', { tls: { ca } }],
      ['wrong token', { tls: { ca }, token: `x${WRITE}` }],
      ['read token', { tls: { ca }, token: READ }],
      ['foreign certificate', { tls: foreign }],
      ['expired certificate', { tls: expired }],
    ] as const) {
      const id = newTraceId();
      const res = await grpcExport(target(), id, options);
      expect(res.code, label).toBe(grpc.status.UNAUTHENTICATED);
      expect((await readTrace(id)).status, label).toBe(404);
    }
  });

  it('OK with the write token or our client certificate', async () => {
    for (const options of [{ tls: { ca }, token: WRITE }, { tls: good }]) {
      const id = newTraceId();
      expect((await grpcExport(target(), id, options)).code).toBe(0);
      expect((await readTrace(id)).status).toBe(200);
    }
  });
});

describe('query API over TLS', () => {
  it('needs the read token; the write token cannot read', async () => {
    for (const token of [undefined, WRITE]) {
      const res = await send(`${queryUrl()}/api/v3/services`, {
        tls: { ca },
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      expect(res.status).toBe(401);
    }
    const ok = await send(`${queryUrl()}/api/v3/services`, {
      tls: { ca },
      headers: { authorization: `Bearer ${READ}` },
    });
    expect(ok.status).toBe(200);
  });
});

describe('a traced service exports over TLS with a token', () => {
  for (const protocol of ['grpc', 'http/protobuf'] as const) {
    it(`npu-worker → collector over ${protocol}; the CLI reads the trace with --token-file`, async () => {
      const traceId = newTraceId();
      const endpoint =
        protocol === 'grpc'
          ? `https://${HOST}:${ports.grpcPort}`
          : `https://${HOST}:${ports.httpPort}/v1/traces`;
      const worker = spawn(process.execPath, [NPU_WORKER], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH,
          AUTOBOT_NPU_WORKER_PORT: '0',
          AUTOBOT_JAEGER_ENDPOINT: endpoint,
          OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${WRITE}`,
          OTEL_EXPORTER_OTLP_CERTIFICATE: join(dir, 'pki', 'ca', 'ca.crt'),
          AUTOBOT_TRACE_SCHEDULE_DELAY_MS: '100',
        },
      });
      children.push(worker);
      let log = '';
      worker.stderr?.on('data', (d) => {
        log += d;
      });
      const listening = await waitForJsonLine(worker, (l) => l.event === 'listening');
      const res = await fetch(`http://127.0.0.1:${listening.port}/api/embed`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        },
        body: JSON.stringify({ input: 'hello' }),
      });
      expect(res.status).toBe(200);
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
      const { stdout } = await run(process.execPath, [CLI, 'show', traceId, '--json', '--url', queryUrl()], {
        env: {
          ...process.env,
          AUTOBOT_TRACE_READ_TOKEN_FILE: join(dir, 'read.token'),
          NODE_EXTRA_CA_CERTS: join(dir, 'pki', 'ca', 'ca.crt'),
        },
      });
      const trace = JSON.parse(stdout) as {
        traceID: string;
        processes: Record<string, { serviceName: string }>;
      };
      expect(trace.traceID).toBe(traceId);
      expect(Object.values(trace.processes).map((p) => p.serviceName)).toContain('autobot-npu-worker');
      expect(log).not.toContain(WRITE);
    });
  }

  it('the CLI without the read token says so (exit 1)', async () => {
    const result = await run(process.execPath, [CLI, 'services', '--url', queryUrl()], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'pki', 'ca', 'ca.crt') },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((result as { code: number }).code).toBe(1);
    expect((result as { stderr: string }).stderr).toMatch(/read token \(HTTP 401\)/);
  });
});

describe('doctor', () => {
  const doctor = (env: Record<string, string>) =>
    run(process.execPath, [CLI, 'doctor'], { env: { PATH: process.env.PATH, ...env } }).catch(
      (e: { code: number; stdout: string }) => e,
    ) as Promise<{ stdout: string }>;

  it('names a refused token as an authentication failure, without printing the token', async () => {
    for (const endpoint of [
      `https://${HOST}:${ports.grpcPort}`,
      `https://${HOST}:${ports.httpPort}/v1/traces`,
    ]) {
      const wrong = `wrong-${randomBytes(12).toString('hex')}`;
      const { stdout } = await doctor({
        AUTOBOT_JAEGER_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${wrong}`,
        OTEL_EXPORTER_OTLP_CERTIFICATE: join(dir, 'pki', 'ca', 'ca.crt'),
      });
      expect(stdout, endpoint).toMatch(/authentication failed: .*(401|UNAUTHENTICATED)/);
      expect(stdout).toContain('headers              authorization');
      expect(stdout).not.toContain(wrong);
    }
  });

  it('names an untrusted certificate as a TLS failure, and passes with the right settings', async () => {
    for (const endpoint of [
      `https://${HOST}:${ports.grpcPort}`,
      `https://${HOST}:${ports.httpPort}/v1/traces`,
    ]) {
      const { stdout } = await doctor({ AUTOBOT_JAEGER_ENDPOINT: endpoint });
      expect(stdout, endpoint).toMatch(/TLS failure/);
      const ok = await doctor({
        AUTOBOT_JAEGER_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${WRITE}`,
        OTEL_EXPORTER_OTLP_CERTIFICATE: join(dir, 'pki', 'ca', 'ca.crt'),
      });
      expect(ok.stdout, endpoint).toContain('no problems found');
      expect(ok.stdout).not.toContain(WRITE);
    }
  });
});

describe('viewer sign-in in Chromium', () => {
  it('trades the read token for an HttpOnly SameSite=Strict cookie; the token is nowhere in the page', async () => {
    const browser = await launchChromium();
    try {
      // The CA is ours, not the system's: the context trusts the test certificate explicitly.
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      const urls: string[] = [];
      page.on('request', (r) => urls.push(r.url()));
      const apiStatuses: number[] = [];
      page.on('response', (r) => {
        if (r.url().includes('/api/services')) apiStatuses.push(r.status());
      });
      await page.goto(`${queryUrl()}/search`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.fill('#token', READ);
      await Promise.all([page.waitForURL(`${queryUrl()}/`), page.click('button[type=submit]')]);
      // The viewer's own API calls carry the cookie and succeed.
      await expect.poll(() => apiStatuses, { timeout: 15_000 }).toContain(200);
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name === 'autobot_trace_session');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: true });
      expect(session?.value).not.toContain(READ);
      expect(await page.evaluate(() => document.cookie)).toBe('');
      const html = await page.content();
      expect(html).not.toContain(READ);
      const storage = await page.evaluate(
        () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
      );
      expect(storage).not.toContain(READ);
      for (const url of urls) expect(url).not.toContain(READ);
      // A wrong token is refused and no cookie is set.
      const other = await browser.newContext({ ignoreHTTPSErrors: true });
      const page2 = await other.newPage();
      await page2.goto(`${queryUrl()}/login`);
      await page2.fill('#token', WRITE);
      await page2.click('button[type=submit]');
      await expect(page2.locator('[role=alert]')).toBeDefined();
      expect(await page2.textContent('body')).toContain('not valid');
      expect((await other.cookies()).length).toBe(0);
    } finally {
      await browser.close();
    }
  });
});
