// Issue 16: "the services of the reference stack export over TLS with a token to a collector bound
// to a non-loopback test address; one trace across them". The backend, the AI stack, the NPU
// worker and the browser worker (real processes, as built; real Chromium) export to a collector on
// 127.0.0.2 with TLS from our CA, each by another credential path: the backend and the browser
// worker over gRPC with the write token, the AI stack over OTLP/HTTP with a client certificate only
// (mutual TLS), the NPU worker over OTLP/HTTP with the write token. (The frontend's relay is
// e2e/test/collector/frontend-relay.test.ts.) One chat must come back as one trace holding all three services, read with the
// read token; no process log holds a token.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startDevModel } from 'autobot-dev-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Started } from '../helpers/processes.js';
import { ROOT } from '../helpers/repo.js';
import {
  pollQuery,
  type SecuredCollector,
  startSecuredCollector,
  startService,
} from '../helpers/secured-collector.js';

const BACKEND = join(ROOT, 'services/backend/dist/main.js');
const AI_STACK = join(ROOT, 'services/ai-stack/dist/main.js');
const NPU_WORKER = join(ROOT, 'services/npu-worker/dist/main.js');
const BROWSER = join(ROOT, 'services/browser/dist/main.js');

let setup: SecuredCollector;
let devModel: Awaited<ReturnType<typeof startDevModel>>;
const services: Started[] = [];
let backendPort = 0;
/** The page the chat names, so the backend also asks the browser worker (real Chromium) for it. */
let page: Server;
let pageUrl = '';

beforeAll(async () => {
  setup = await startSecuredCollector();
  devModel = await startDevModel({ port: 0, tokenDelayMs: 1 });
  const { host, ports, files, writeToken } = setup;
  const common = { OTEL_EXPORTER_OTLP_CERTIFICATE: files.ca, AUTOBOT_TRACE_SCHEDULE_DELAY_MS: '100' };
  const withToken = { OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${writeToken}` };
  const npu = await startService(NPU_WORKER, {
    ...common,
    ...withToken,
    AUTOBOT_NPU_WORKER_PORT: '0',
    AUTOBOT_JAEGER_ENDPOINT: setup.otlpHttpUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
  });
  services.push(npu);
  const ai = await startService(AI_STACK, {
    ...common,
    OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: files.clientCert,
    OTEL_EXPORTER_OTLP_CLIENT_KEY: files.clientKey,
    AUTOBOT_AI_STACK_PORT: '0',
    AUTOBOT_DEV_MODEL_URL: devModel.url,
    AUTOBOT_JAEGER_ENDPOINT: setup.otlpHttpUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
  });
  services.push(ai);
  const browser = await startService(BROWSER, {
    ...common,
    ...withToken,
    AUTOBOT_BROWSER_PORT: '0',
    AUTOBOT_BROWSER_ENGINE: 'chromium',
    AUTOBOT_JAEGER_ENDPOINT: `https://${host}:${ports.grpcPort}`,
  });
  services.push(browser);
  page = createServer((_req, res) => res.end('<!doctype html><title>Secured stack page</title><p>hello</p>'));
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/page.html`;
  const backend = await startService(BACKEND, {
    ...common,
    ...withToken,
    AUTOBOT_BACKEND_PORT: '0',
    AUTOBOT_REDIS_URL: 'memory',
    AUTOBOT_AI_STACK_URL: `http://127.0.0.1:${ai.port}`,
    AUTOBOT_NPU_WORKER_URL: `http://127.0.0.1:${npu.port}`,
    AUTOBOT_BROWSER_URL: `http://127.0.0.1:${browser.port}`,
    AUTOBOT_JAEGER_ENDPOINT: `https://${host}:${ports.grpcPort}`,
  });
  services.push(backend);
  backendPort = backend.port;
}, 120_000);

afterAll(async () => {
  for (const service of services) await service.stop();
  await devModel?.close();
  page?.close();
  await setup?.stop();
});

describe('the reference stack over TLS to a secured collector on 127.0.0.2', () => {
  it('one chat is one trace across backend, AI stack, NPU worker and browser worker; no log holds a token', async () => {
    const res = await fetch(`http://127.0.0.1:${backendPort}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: `What is on ${pageUrl} ?` }),
    });
    expect(res.status).toBe(200);
    await res.text();
    const traceId = res.headers.get('traceresponse')?.split('-')[1];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const wanted = ['autobot-ai-stack', 'autobot-backend', 'autobot-browser', 'autobot-npu-worker'];
    const found = await pollQuery(setup, `/api/traces/${traceId}`, (body) =>
      wanted.every((service) => body.includes(`"serviceName":"${service}"`)),
    );
    expect(found.status).toBe(200);
    const trace = (
      JSON.parse(found.body) as { data: { processes: Record<string, { serviceName: string }> }[] }
    ).data[0];
    const names = new Set(Object.values(trace?.processes ?? {}).map((p) => p.serviceName));
    expect([...names].sort()).toEqual(expect.arrayContaining(wanted));
    for (const service of services) {
      expect(service.output()).not.toContain(setup.writeToken);
      expect(service.output()).not.toContain(setup.readToken);
    }
  });
});
