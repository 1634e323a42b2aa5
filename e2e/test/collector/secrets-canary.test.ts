// The secrets canary for the secured collector: the write and read tokens, every value of
// OTEL_EXPORTER_OTLP_HEADERS and the contents of every TLS private key must never appear in stored
// spans (read back through the query API), in any process's stdout/stderr, in error answers, or in
// `autobot-trace doctor` output — on the success paths and the refusal paths alike. A control
// value, planted where each of those outputs does show data, proves the search would catch a leak.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jsonBody, newTraceId, postSpan, send } from '@autobot/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Started } from '../helpers/processes.js';
import {
  CLI,
  FRONTEND,
  NPU_WORKER,
  pollQuery,
  type SecuredCollector,
  startSecuredCollector,
  startService,
} from '../helpers/secured-collector.js';

const run = promisify(execFile);
/** A header value that is a secret of its own (e.g. an API gateway key), beside the token. */
const HEADER_SECRET = `h-${randomBytes(18).toString('base64url')}`;
/** Treated exactly like a secret, but planted on purpose: the detector must find it. */
const CONTROL = `control-${randomBytes(12).toString('hex')}`;

let setup: SecuredCollector;
const services: Started[] = [];
/** Every answer body, CLI output and doctor report the test saw. */
const outputs: string[] = [];
let secrets: { label: string; value: string }[];

/** Lines of a PEM private key worth searching for (its base64 body, line by line). */
const keyLines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length >= 16 && !line.startsWith('-----'));

/** Labels of the `candidates` found in `text`. */
const leaks = (text: string, candidates: { label: string; value: string }[]) =>
  candidates.filter((c) => text.includes(c.value)).map((c) => c.label);

const credentials = () => ({
  OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${setup.writeToken},x-gateway-key=${HEADER_SECRET}`,
  OTEL_EXPORTER_OTLP_CERTIFICATE: setup.files.ca,
  OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: setup.files.clientCert,
  OTEL_EXPORTER_OTLP_CLIENT_KEY: setup.files.clientKey,
  AUTOBOT_LOG_LEVEL: 'debug',
  AUTOBOT_TRACE_SCHEDULE_DELAY_MS: '100',
});

const doctor = async (env: Record<string, string>) => {
  const result = await run(process.execPath, [CLI, 'doctor'], {
    env: { PATH: process.env.PATH, ...env },
  }).catch((e: { stdout: string; stderr: string }) => e);
  const text = `${result.stdout}\n${result.stderr}`;
  outputs.push(text);
  return text;
};

beforeAll(async () => {
  setup = await startSecuredCollector();
  secrets = [
    { label: 'write token', value: setup.writeToken },
    { label: 'read token', value: setup.readToken },
    { label: 'OTEL_EXPORTER_OTLP_HEADERS value', value: HEADER_SECRET },
    ...keyLines(setup.files.clientKey).map((value, i) => ({ label: `client key line ${i + 1}`, value })),
    ...keyLines(setup.files.serverKey).map((value, i) => ({ label: `server key line ${i + 1}`, value })),
  ];
}, 60_000);

afterAll(async () => {
  for (const service of services) await service.stop();
  await setup?.stop();
});

describe('secrets canary: tokens, header values and TLS keys', () => {
  it('the detector finds every secret it is given (no empty or malformed canary)', () => {
    expect(secrets.length).toBeGreaterThan(5);
    for (const s of secrets) expect(s.value.length).toBeGreaterThanOrEqual(16);
    expect(leaks(secrets.map((s) => s.value).join('\n'), secrets)).toEqual(secrets.map((s) => s.label));
  });

  it('appear nowhere: stored spans, logs, error answers, doctor — and the control shows up in each', async () => {
    // A worker exporting over gRPC with token, extra header and client certificate.
    const worker = await startService(NPU_WORKER, {
      ...credentials(),
      AUTOBOT_NPU_WORKER_PORT: '0',
      AUTOBOT_JAEGER_ENDPOINT: `https://${setup.host}:${setup.ports.grpcPort}`,
    });
    services.push(worker);
    // The frontend relaying over OTLP/HTTP with the same credentials.
    const frontend = await startService(FRONTEND, {
      ...credentials(),
      AUTOBOT_FRONTEND_HOST: '127.0.0.1',
      AUTOBOT_FRONTEND_PORT: '0',
      AUTOBOT_JAEGER_ENDPOINT: setup.otlpHttpUrl,
    });
    services.push(frontend);
    const frontendUrl = `http://127.0.0.1:${frontend.port}`;

    // Success paths: a traced request through the worker, a span relayed by the frontend.
    const workerTrace = newTraceId();
    const embed = await fetch(`http://127.0.0.1:${worker.port}/api/embed`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${workerTrace}-${randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify({ input: 'canary' }),
    });
    outputs.push(await embed.text());
    const controlTrace = newTraceId();
    const controlSpan = JSON.parse(jsonBody(controlTrace, 'canary-control'));
    controlSpan.resourceSpans[0].scopeSpans[0].spans[0].attributes = [
      { key: 'canary.control', value: { stringValue: CONTROL } },
    ];
    const relayed = await send(`${frontendUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(controlSpan),
    });
    expect(relayed.status).toBe(200);
    outputs.push(relayed.body);
    // The frontend logs request URLs at debug level: the control reaches its log this way.
    outputs.push(await (await fetch(`${frontendUrl}/api/health?probe=${CONTROL}`)).text());

    // Refusal paths: each token presented where it is not valid, by hand and through the CLI.
    const ca = readFileSync(setup.files.ca);
    for (const [url, token] of [
      [`${setup.queryUrl}/api/services`, setup.writeToken],
      [`https://${setup.host}:${setup.ports.httpPort}/v1/traces`, setup.readToken],
    ] as const) {
      const res = await send(url, {
        method: url.endsWith('/v1/traces') ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: url.endsWith('/v1/traces') ? jsonBody(newTraceId()) : undefined,
        tls: { ca },
      });
      expect(res.status).toBe(401);
      outputs.push(res.body, JSON.stringify(res.headers));
    }
    writeFileSync(join(setup.dir, 'wrong-read.token'), `${setup.writeToken}\n`);
    const cli = await run(process.execPath, [CLI, 'services', '--url', setup.queryUrl], {
      env: {
        PATH: process.env.PATH,
        AUTOBOT_TRACE_READ_TOKEN_FILE: join(setup.dir, 'wrong-read.token'),
        NODE_EXTRA_CA_CERTS: setup.files.ca,
      },
    }).catch((e: { stdout: string; stderr: string; code: number }) => e);
    expect((cli as { code?: number }).code).toBe(1);
    outputs.push(cli.stdout, cli.stderr);
    // The frontend relaying with the read token as its write credential: 401 upstream → 502.
    const misconfigured = await startService(FRONTEND, {
      ...credentials(),
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${setup.readToken},x-gateway-key=${HEADER_SECRET}`,
      OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: '',
      OTEL_EXPORTER_OTLP_CLIENT_KEY: '',
      AUTOBOT_FRONTEND_HOST: '127.0.0.1',
      AUTOBOT_FRONTEND_PORT: '0',
      AUTOBOT_JAEGER_ENDPOINT: setup.otlpHttpUrl,
    });
    services.push(misconfigured);
    const refused = await postSpan(`http://127.0.0.1:${misconfigured.port}`, newTraceId());
    expect(refused.status).toBe(502);
    outputs.push(refused.body);

    // doctor: passing with every credential, then its 401 report (the read token as write token).
    const ok = await doctor({ ...credentials(), AUTOBOT_JAEGER_ENDPOINT: setup.otlpHttpUrl });
    expect(ok).toContain('no problems found');
    const unauthorized = await doctor({
      AUTOBOT_JAEGER_ENDPOINT: `https://${setup.host}:${setup.ports.grpcPort}`,
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${setup.readToken},x-gateway-key=${HEADER_SECRET}`,
      OTEL_EXPORTER_OTLP_CERTIFICATE: setup.files.ca,
    });
    expect(unauthorized).toMatch(/authentication failed: .*(401|UNAUTHENTICATED)/);

    // Stored spans: every trace of every service, read back through the query API.
    await pollQuery(setup, `/api/traces/${workerTrace}`, (body) => body.includes('autobot-npu-worker'));
    await pollQuery(setup, `/api/traces/${controlTrace}`);
    const names = JSON.parse((await setup.query('/api/services')).body).data as string[];
    expect(names).toEqual(expect.arrayContaining(['autobot-npu-worker', 'canary-control']));
    const stored: string[] = [];
    for (const name of names) {
      stored.push((await setup.query(`/api/traces?service=${encodeURIComponent(name)}&limit=200`)).body);
    }
    for (const service of services) await service.stop();
    const logs = [setup.collector.output(), ...services.map((s) => s.output())];

    const corpora = {
      'stored spans': stored.join('\n'),
      'process logs': logs.join('\n'),
      'answers, CLI and doctor output': outputs.join('\n'),
    };
    // Controls: each corpus holds the data it should, so a leak there would be seen.
    const control = [{ label: 'control', value: CONTROL }];
    expect(leaks(corpora['stored spans'], control)).toEqual(['control']);
    expect(corpora['stored spans']).toContain(workerTrace);
    expect(leaks(corpora['process logs'], control)).toEqual(['control']);
    expect(corpora['answers, CLI and doctor output']).toContain('x-gateway-key');
    expect(corpora['answers, CLI and doctor output']).toContain(setup.files.clientCert);
    for (const [where, text] of Object.entries(corpora)) expect(leaks(text, secrets), where).toEqual([]);
  });
});
