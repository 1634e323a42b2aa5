import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../src/index.js';
import { parseExact } from '../src/json-exact.js';
import { ExportTraceServiceRequest } from '../src/otlp/schema.js';
import { exportGrpcBytes, getJson, startTestCollector } from './helpers.js';
import {
  BASE,
  CHILD_START,
  EVENT_TIME,
  edgeSpans,
  type Ids,
  jsonRequest,
  LINK_SPAN,
  LINK_TRACE,
  newIds,
  protobufRequest,
  ROOT_END,
  SCHEMA_URL,
  V1_TAGS,
  V3_ATTRIBUTES,
} from './round-trip-edges.js';

// Every OTLP value type at its edges, sent over OTLP/gRPC, OTLP/HTTP protobuf, OTLP/HTTP JSON and
// by a Python grpcio client, then read back through Jaeger v1, v3 and the query language.

let c: RunningCollector;
beforeAll(async () => {
  c = await startTestCollector();
});
afterAll(async () => {
  await c?.close();
});

async function grpcExport(payload: Buffer): Promise<grpc.ServiceError | null> {
  return (await exportGrpcBytes(c, payload)).error;
}

async function httpExport(body: Buffer | string, contentType: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${c.httpPort}/v1/traces`, {
    method: 'POST',
    // A Buffer may sit on a SharedArrayBuffer as far as the types know; fetch's BodyInit wants an ArrayBuffer view.
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { 'content-type': contentType },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(await res.arrayBuffer()).toHaveProperty('byteLength', contentType.includes('json') ? 2 : 0);
}

const PYTHON_CLIENT = fileURLToPath(new URL('./fixtures/otlp_grpc_client.py', import.meta.url));
// Debian's python3-grpcio is for the system interpreter; a pyenv or venv `python3` may lack it.
const PYTHON = ['/usr/bin/python3', 'python3'].find(
  (exe) => spawnSync(exe, ['-c', 'import grpc'], { stdio: 'ignore' }).status === 0,
);
// Skipped only outside CI: CI installs python3-grpcio (.ci/run), so there a missing grpc fails.

const senders: Record<string, (ids: Ids) => Promise<void>> = {
  'OTLP/gRPC': async (ids) => expect(await grpcExport(protobufRequest(ids))).toBeNull(),
  'OTLP/HTTP protobuf': (ids) => httpExport(protobufRequest(ids), 'application/x-protobuf'),
  'OTLP/HTTP JSON': (ids) => httpExport(jsonRequest(ids), 'application/json'),
  'Python grpcio (hand-encoded protobuf)': async (ids) => {
    // Asynchronously: the collector answers from this process's event loop.
    const { stdout } = await promisify(execFile)(
      PYTHON ?? 'python3',
      [PYTHON_CLIENT, String(c.grpcPort), ids.traceId, ids.rootId, ids.childId, BASE.toString()],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(stdout.trim()).toBe(''); // an empty ExportTraceServiceResponse: everything accepted
  },
};

async function text(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${c.queryPort}${path}`);
  return { status: res.status, body: await res.text() };
}

const us = (ns: bigint) => Number(ns / 1000n);

async function checkV1(ids: Ids): Promise<void> {
  const { status, body } = await text(`/api/traces/${ids.traceId}`);
  expect(status).toBe(200);
  // The exact literals are in the response text (a JS client would round them; Go's would not).
  expect(body).toContain('"value":9223372036854775807}');
  expect(body).toContain('"value":-9223372036854775808}');
  // biome-ignore lint/suspicious/noExplicitAny: JSON under test
  const trace = (parseExact(body) as any).data[0];
  // biome-ignore lint/suspicious/noExplicitAny: JSON under test
  const byName = Object.fromEntries(trace.spans.map((s: any) => [s.operationName, s]));
  const root = byName['edge.root'];
  const child = byName['edge.child'];
  expect(root.tags.slice(0, V1_TAGS.length)).toEqual(V1_TAGS);
  expect(root.tags.slice(V1_TAGS.length)).toEqual([
    { key: 'span.kind', type: 'string', value: 'server' },
    { key: 'otel.scope.name', type: 'string', value: 'edge.scope' },
    { key: 'otel.scope.version', type: 'string', value: '9.9.9' },
    { key: 'w3c.tracestate', type: 'string', value: 'vendor=abc' },
  ]);
  // Jaeger truncates nanoseconds to microseconds.
  expect(root.startTime).toBe(us(BASE));
  expect(root.duration).toBe(100);
  expect(child.startTime).toBe(us(CHILD_START));
  expect(child.duration).toBe(9);
  expect(child.logs).toEqual([
    {
      timestamp: us(EVENT_TIME),
      fields: [
        { key: 'event', type: 'string', value: 'exception' },
        { key: 'exception.type', type: 'string', value: 'Error' },
        { key: 'retry.delay', type: 'float64', value: 3 },
      ],
    },
  ]);
  expect(child.tags).toEqual(
    expect.arrayContaining([
      { key: 'otel.status_code', type: 'string', value: 'ERROR' },
      { key: 'otel.status_description', type: 'string', value: 'boom' },
      { key: 'error', type: 'bool', value: true },
    ]),
  );
  expect(child.tags.map((t: { key: string }) => t.key)).not.toContain('w3c.tracestate');
  expect(child.references).toEqual([
    { refType: 'CHILD_OF', traceID: ids.traceId, spanID: ids.rootId },
    { refType: 'FOLLOWS_FROM', traceID: LINK_TRACE, spanID: LINK_SPAN },
  ]);
  expect(trace.processes[root.processID]).toEqual({ serviceName: 'edge-svc', tags: [] });
}

async function checkV3(ids: Ids): Promise<void> {
  const { status, body } = await getJson(c, `/api/v3/traces/${ids.traceId}`);
  expect(status).toBe(200);
  expect(body.result.resourceSpans).toHaveLength(1);
  const rs = body.result.resourceSpans[0];
  expect(rs.schemaUrl).toBe(SCHEMA_URL);
  expect(rs.resource).toEqual({
    attributes: [{ key: 'service.name', value: { stringValue: 'edge-svc' } }],
    droppedAttributesCount: 3,
  });
  expect(rs.scopeSpans).toHaveLength(1);
  // No "attributes": [] (Jaeger v2 omits empty fields).
  expect(rs.scopeSpans[0].scope).toEqual({ name: 'edge.scope', version: '9.9.9', droppedAttributesCount: 4 });
  const [root, child] = edgeSpans(ids, (h) => h, V3_ATTRIBUTES);
  expect(rs.scopeSpans[0].spans).toEqual([{ ...root, status: {} }, child]);
}

/** Trace ids a query-language search returns. */
async function ql(q: string): Promise<string[]> {
  const { status, body } = await getJson(c, `/api/search?limit=100&q=${encodeURIComponent(q)}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body.data.map((t: { traceID: string }) => t.traceID);
}

/** Trace ids a Jaeger v1 tag search returns. */
async function tags(query: Record<string, string>): Promise<string[]> {
  const { status, body } = await text(
    `/api/traces?limit=100&tags=${encodeURIComponent(JSON.stringify(query))}`,
  );
  expect(status, body).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: JSON under test
  return (parseExact(body) as any).data.map((t: { traceID: string }) => t.traceID);
}

const sent = new Map<string, Ids>();

describe.each(Object.keys(senders))('round trip over %s', (transport) => {
  const run = transport.startsWith('Python') && PYTHON === undefined && !process.env.CI ? it.skip : it;
  const ids = newIds();

  run('is accepted', async () => {
    await (senders[transport] as (ids: Ids) => Promise<void>)(ids);
    sent.set(transport, ids);
  });

  run('comes back bit for bit from Jaeger v1 (µs truncated like Jaeger)', () => checkV1(ids));

  run('comes back bit for bit from v3 (nanoseconds, schemaUrl, omitted defaults)', () => checkV3(ids));

  run('is found by the query language and by tag search on every value shown', async () => {
    for (const q of [
      'int.max = 9223372036854775807',
      'int.min = -9223372036854775808',
      'int.2p53p1 = 9007199254740993',
      'int.2p53p1 > 9007199254740992',
      'str.fffd = "a\uFFFDb"',
      'otel.status_code = ERROR',
      'otel.status_description = boom',
      'otel.scope.name = "edge.scope" and otel.scope.version = "9.9.9"',
      'exception.type = Error',
      'event = exception',
      'dbl.int = 5',
      'retry.delay >= 3',
      'w3c.tracestate = "vendor=abc"',
    ]) {
      expect(await ql(q), q).toContain(ids.traceId);
    }
    // Exact: the neighbours of the int64 values do not match.
    expect(await ql('int.2p53p1 = 9007199254740992')).not.toContain(ids.traceId);
    expect(await ql('int.max = 9223372036854775806')).not.toContain(ids.traceId);
    expect(
      await ql('span.exception.type = Error'),
      'an event attribute is not a span attribute',
    ).not.toContain(ids.traceId);
    const tagFilters: Record<string, string>[] = [
      { 'int.max': '9223372036854775807' },
      { 'otel.status_code': 'ERROR' },
      { 'otel.status_description': 'boom' },
      { 'otel.scope.name': 'edge.scope' },
      { 'otel.scope.version': '9.9.9' },
      { 'exception.type': 'Error' },
      { 'span.kind': 'client' },
      { 'w3c.tracestate': 'vendor=abc' },
    ];
    for (const t of tagFilters) {
      expect(await tags(t), JSON.stringify(t)).toContain(ids.traceId);
    }
    expect(await tags({ 'exception.type': 'TypeError' })).not.toContain(ids.traceId);
  });
});

describe('v3 search endpoints as Jaeger v2 answers them', () => {
  it('/api/v3/trace-summaries summarises each match (camelCase and snake_case parameters)', async () => {
    const ids = sent.get('OTLP/HTTP JSON') as Ids;
    const min = new Date(Number(BASE / 1_000_000n) - 1000).toISOString();
    for (const params of [
      `query.serviceName=edge-svc&query.attributes=${encodeURIComponent('{"int.max":"9223372036854775807"}')}&query.startTimeMin=${min}`,
      `query.service_name=edge-svc&query.start_time_min=${min}&query.search_depth=50`,
    ]) {
      const { status, body } = await getJson(c, `/api/v3/trace-summaries?${params}`);
      expect(status).toBe(200);
      const summary = body.summaries.find((s: { traceId: string }) => s.traceId === ids.traceId);
      expect(summary).toEqual({
        traceId: ids.traceId,
        rootServiceName: 'edge-svc',
        rootOperationName: 'edge.root',
        minStartTimeUnixNano: BASE.toString(),
        maxEndTimeUnixNano: ROOT_END.toString(),
        spanCount: 2,
        errorSpanCount: 1,
        services: [{ name: 'edge-svc', spanCount: 2, errorSpanCount: 1 }],
      });
    }
  });

  it('an empty search: /api/v3/traces 404 "No traces found", /api/v3/trace-summaries {}', async () => {
    const traces = await getJson(c, '/api/v3/traces?query.serviceName=no-such-service');
    expect(traces.status).toBe(404);
    expect(traces.body).toEqual({ error: { httpCode: 404, message: 'No traces found' } });
    const summaries = await getJson(c, '/api/v3/trace-summaries?query.serviceName=no-such-service');
    expect(summaries).toEqual({ status: 200, body: {} });
  });

  it('/api/v3/dependencies takes RFC 3339 startTime/endTime and answers callCount as uint64 text', async () => {
    const start = new Date(Number(BASE / 1_000_000n) - 1000).toISOString();
    const end = new Date(Date.now() + 1000).toISOString();
    const { status, body } = await getJson(c, `/api/v3/dependencies?startTime=${start}&endTime=${end}`);
    expect(status).toBe(200);
    expect(body).toEqual({ dependencies: [] }); // root and child are in the same service
    const bad = await getJson(c, '/api/v3/dependencies?startTime=yesterday&endTime=now');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/startTime/);
    expect((await getJson(c, '/api/v3/dependencies')).status).toBe(400);
  });
});

describe('U+FFFD sent on purpose next to broken UTF-8 in one request', () => {
  it('OTLP/HTTP protobuf keeps the real U+FFFD span and rejects the broken one', async () => {
    const traceId = randomBytes(16);
    const pb = Buffer.from(
      ExportTraceServiceRequest.encode(
        ExportTraceServiceRequest.fromObject({
          resourceSpans: [
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fffd-svc' } }] },
              scopeSpans: [
                {
                  spans: [
                    {
                      traceId,
                      spanId: Buffer.alloc(8, 1),
                      name: 'real \uFFFD',
                      startTimeUnixNano: BASE.toString(),
                    },
                    {
                      traceId,
                      spanId: Buffer.alloc(8, 2),
                      name: 'broken Z',
                      startTimeUnixNano: BASE.toString(),
                    },
                  ],
                },
              ],
            },
          ],
        }),
      ).finish(),
    );
    pb[pb.indexOf('broken Z') + 7] = 0xff; // Z → a byte that is never valid UTF-8
    const res = await fetch(`http://127.0.0.1:${c.httpPort}/v1/traces`, {
      method: 'POST',
      body: pb,
      headers: { 'content-type': 'application/x-protobuf' },
    });
    expect(res.status).toBe(200);
    const { body } = await getJson(c, `/api/v3/traces/${traceId.toString('hex')}`);
    const names = body.result.resourceSpans[0].scopeSpans[0].spans.map((s: { name: string }) => s.name);
    expect(names).toEqual(['real \uFFFD']);
  });
});
