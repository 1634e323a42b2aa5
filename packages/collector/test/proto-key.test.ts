// An attribute key is any string (OTLP common.proto `KeyValue.key`), `__proto__` included. Assigned
// with `obj[key] = value`, that key would set the object's prototype instead of an attribute: the
// attribute was lost, and a key/value-list value under it made its keys appear present on the
// object (a resource without `service.name` took the service name of that list's entry).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../src/index.js';
import type { Attributes, DecodedBatch } from '../src/model.js';
import { decodeJsonRequest } from '../src/otlp/decode-json.js';
import { decodeProtobufRequest } from '../src/otlp/decode-protobuf.js';
import { ExportTraceServiceRequest } from '../src/otlp/schema.js';
import { getJson, startTestCollector } from './helpers.js';

const traceId = randomBytes(16).toString('hex');
const spanId = randomBytes(8).toString('hex');
const now = BigInt(Date.now()) * 1_000_000n;
const SPOOF = {
  key: '__proto__',
  value: { kvlistValue: { values: [{ key: 'service.name', value: { stringValue: 'spoofed' } }] } },
};
const NESTED = {
  key: 'outer',
  value: {
    kvlistValue: {
      values: [
        { key: '__proto__', value: { kvlistValue: { values: [{ key: 'x', value: { intValue: 1 } }] } } },
      ],
    },
  },
};
const request = (ids: (hex: string) => unknown) => ({
  resourceSpans: [
    {
      resource: { attributes: [SPOOF] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: ids(traceId),
              spanId: ids(spanId),
              name: 'proto-key',
              kind: 2,
              startTimeUnixNano: String(now),
              endTimeUnixNano: String(now + 1_000_000n),
              attributes: [SPOOF, NESTED],
            },
          ],
        },
      ],
    },
  ],
});
const protobufBody = () =>
  Buffer.from(
    ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject(request((h) => Buffer.from(h, 'hex'))),
    ).finish(),
  );
const jsonBody = () => JSON.stringify(request((h) => h));

function expectOwnProtoKey(attributes: Attributes, inner: Record<string, unknown>): void {
  expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
  expect(Object.hasOwn(attributes, '__proto__')).toBe(true);
  expect(Object.getOwnPropertyDescriptor(attributes, '__proto__')?.value).toEqual(inner);
}

describe('an attribute named __proto__ (common.proto KeyValue.key is any string)', () => {
  const decoders: [string, () => DecodedBatch][] = [
    ['OTLP/protobuf', () => decodeProtobufRequest(protobufBody())],
    ['OTLP/JSON', () => decodeJsonRequest(jsonBody())],
  ];
  for (const [name, decode] of decoders) {
    it(`${name}: is kept as an attribute and sets no prototype`, () => {
      const batch = decode();
      expect(batch.rejected).toBe(0);
      const group = batch.groups[0] as DecodedBatch['groups'][number];
      // The resource has no service.name of its own.
      expect(group.resource.serviceName).toBe('unknown_service');
      expect('service.name' in group.resource.attributes).toBe(false);
      expectOwnProtoKey(group.resource.attributes, { 'service.name': 'spoofed' });
      const span = group.spans[0] as (typeof group.spans)[number];
      expectOwnProtoKey(span.attributes, { 'service.name': 'spoofed' });
      expectOwnProtoKey(span.attributes.outer as Attributes, { x: 1 });
      expect('x' in (span.attributes.outer as Attributes)).toBe(false);
    });
  }

  describe('stored and read back', () => {
    let c: RunningCollector;
    beforeAll(async () => {
      c = await startTestCollector();
    });
    afterAll(() => c.close());

    it('Jaeger v1 shows it as a tag of the span and of no other service', async () => {
      const res = await fetch(`http://127.0.0.1:${c.httpPort}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: protobufBody(),
      });
      expect(res.status).toBe(200);
      const { body } = await getJson(c, `/api/traces/${traceId}`);
      const [trace] = body.data;
      const [span] = trace.spans;
      expect(trace.processes[span.processID].serviceName).toBe('unknown_service');
      expect(span.tags.find((t: { key: string }) => t.key === '__proto__')?.value).toContain('spoofed');
    });
  });
});
