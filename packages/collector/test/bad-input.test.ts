import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../src/index.js';
import { ExportTraceServiceRequest, ExportTraceServiceResponse, RpcStatus } from '../src/otlp/schema.js';
import { exportGrpcBytes, getJson, startTestCollector } from './helpers.js';

const MAX = 1024 * 1024;
let c: RunningCollector;
let url: string;

beforeAll(async () => {
  c = await startTestCollector({ maxBodyBytes: MAX, corsOrigins: ['http://localhost:3000'] });
  url = `http://127.0.0.1:${c.httpPort}/v1/traces`;
});
afterAll(async () => {
  await c?.close();
});

const TRACE_ID = '5b8efff798038103d269b633813fc60c';

function jsonSpan(over: Record<string, unknown> = {}) {
  return {
    traceId: TRACE_ID,
    spanId: 'eee19b7ec3c1b174',
    name: 'ok-span',
    kind: 2,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000500000000',
    attributes: [{ key: 'a', value: { intValue: '1' } }],
    ...over,
  };
}

function jsonBody(spans: unknown[]) {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bad-input' } }] },
        scopeSpans: [{ spans }],
      },
    ],
  });
}

function post(body: BodyInit, headers: Record<string, string>) {
  return fetch(url, { method: 'POST', body, headers });
}

async function storedSpans(): Promise<number> {
  return (await getJson(c, '/status')).body.store.spanCount;
}

describe('bad input on OTLP/HTTP', () => {
  it('stores a valid JSON span first (so later checks can see nothing is lost)', async () => {
    const res = await post(jsonBody([jsonSpan()]), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(await storedSpans()).toBe(1);
  });

  it('malformed JSON → 400 with a message', async () => {
    const res = await post('{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/malformed JSON/);
  });

  it('malformed protobuf → 400 with a google.rpc.Status body', async () => {
    const res = await post(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), {
      'content-type': 'application/x-protobuf',
    });
    expect(res.status).toBe(400);
    const status = RpcStatus.toObject(RpcStatus.decode(new Uint8Array(await res.arrayBuffer())));
    expect(status.message).toMatch(/malformed protobuf/);
  });

  it('wrong content type → 415', async () => {
    const res = await post('hello', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect((await res.json()).message).toMatch(/application\/x-protobuf or application\/json/);
  });

  it('body over the limit → 413', async () => {
    const res = await post('x'.repeat(MAX + 1), { 'content-type': 'application/json' });
    expect(res.status).toBe(413);
  });

  it('gzip bomb (small compressed, huge decompressed) → 413', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(MAX);
    const res = await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect((await res.json()).message).toMatch(/decompressed/);
  });

  it('invalid gzip → 400', async () => {
    const res = await post('not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
  });

  it('ids of the wrong length → 400 when all spans are bad, partial_success when some are', async () => {
    const bad = await post(jsonBody([jsonSpan({ traceId: 'abcd' })]), { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/traceId must be 32 hex/);
    const partial = await post(
      jsonBody([jsonSpan({ spanId: 'aaaaaaaaaaaaaaaa' }), jsonSpan({ spanId: '0102' })]),
      { 'content-type': 'application/json' },
    );
    expect(partial.status).toBe(200);
    expect(await partial.json()).toEqual({
      partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringMatching(/spanId must be 16 hex/) },
    });
    const pb = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), name: 'good' },
                  { traceId: Buffer.alloc(15, 1), spanId: Buffer.alloc(8, 3), name: 'short id' },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    const pbRes = await post(new Uint8Array(pb), { 'content-type': 'application/x-protobuf' });
    expect(pbRes.status).toBe(200);
    const decoded = ExportTraceServiceResponse.toObject(
      ExportTraceServiceResponse.decode(new Uint8Array(await pbRes.arrayBuffer())),
      { longs: Number },
    );
    expect(decoded.partialSuccess.rejectedSpans).toBe(1);
    expect(decoded.partialSuccess.errorMessage).toMatch(/trace_id must be 16 bytes, got 15/);
  });

  it('non-UTF-8 strings → rejected with a clear message', async () => {
    const pb = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              { spans: [{ traceId: Buffer.alloc(16, 4), spanId: Buffer.alloc(8, 5), name: 'x' }] },
            ],
          },
        ],
      }),
    ).finish();
    // Patch the name bytes ("x") with an invalid UTF-8 byte.
    const bytes = Buffer.from(pb);
    bytes[bytes.lastIndexOf(0x78)] = 0xff;
    const res = await post(bytes, { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(400);
    expect(RpcStatus.decode(new Uint8Array(await res.arrayBuffer())).toJSON().message).toMatch(
      /invalid UTF-8/,
    );
    const json = Buffer.concat([Buffer.from(jsonBody([jsonSpan({ name: 'PLACEHOLDER' })]))]);
    const i = json.indexOf('PLACEHOLDER');
    json[i] = 0xc3;
    json[i + 1] = 0x28;
    const jsonRes = await post(json, { 'content-type': 'application/json' });
    expect(jsonRes.status).toBe(400);
  });

  it('a lone surrogate (\\uD800 in OTLP/JSON) cannot be UTF-8 → rejected', async () => {
    const lone = await post(jsonBody([jsonSpan({ name: 'x\\ud800y' })]).replace('x\\\\ud800y', 'x\\ud800y'), {
      'content-type': 'application/json',
    });
    expect(lone.status).toBe(400);
    expect((await lone.json()).message).toMatch(/invalid UTF-8 in the span name/);
    // A genuine U+FFFD is accepted on every transport: see round-trip.test.ts.
  });

  it('10,000 attributes on one span → 400', async () => {
    const attributes = Array.from({ length: 10_000 }, (_, i) => ({
      key: `k${i}`,
      value: { intValue: String(i) },
    }));
    const res = await post(jsonBody([jsonSpan({ attributes })]), { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/span has 10000 attributes, the limit is 1024/);
  });

  it('CORS preflight for configured origins only', async () => {
    const ok = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const denied = await fetch(url, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('kept running and lost nothing', async () => {
    expect(await storedSpans()).toBe(3);
    const { body } = await getJson(c, `/api/traces/${TRACE_ID}`);
    expect(body.data[0].spans.length).toBe(2);
    const status = (await getJson(c, '/status')).body.ingest;
    expect(status.failedRequests).toBeGreaterThanOrEqual(8);
    expect(status.rejectedSpans).toBeGreaterThanOrEqual(2);
  });
});

describe('bad input on OTLP/gRPC', () => {
  const call = (payload: Buffer, gzip = false) => exportGrpcBytes(c, payload, gzip);

  it('malformed protobuf → INVALID_ARGUMENT', async () => {
    const { error } = await call(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/malformed protobuf/);
  });

  it('oversized message → RESOURCE_EXHAUSTED', async () => {
    const { error } = await call(Buffer.alloc(MAX + 100, 0));
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it('gzip bomb (tiny compressed, huge decompressed) → RESOURCE_EXHAUSTED', async () => {
    const { error } = await call(Buffer.alloc(40 * 1024 * 1024, 0), true);
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    // The compressed message was small: the limit applied to the decompressed size.
    expect(error?.details).toMatch(/decompresses to a size larger than/);
  });

  it('bad ids → INVALID_ARGUMENT; empty request → OK', async () => {
    const pb = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({
        resourceSpans: [
          { scopeSpans: [{ spans: [{ traceId: Buffer.alloc(3, 1), spanId: Buffer.alloc(8, 2) }] }] },
        ],
      }),
    ).finish();
    expect((await call(Buffer.from(pb))).error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await call(Buffer.alloc(0))).error).toBeNull();
  });
});
