// The span-at-a-time encoder must produce exactly the bytes of the official OTLP serializer
// (@opentelemetry/otlp-transformer's ProtobufTraceSerializer, the reference encoding of
// opentelemetry-proto trace.proto / trace_service.proto) for the same spans.
import { type Link, SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { encodeRequest, encodeSpan } from '../../src/otlp/span-encoder.js';

const resource = resourceFromAttributes({ 'service.name': 'encoder-test', 'process.pid': 4242 });
const otherResource = resourceFromAttributes({ 'service.name': 'other', 'host.name': 'h' });
const scope = { name: 'autobot.http-server' };
const versionedScope = {
  name: 'autobot.fetch',
  version: '1.2.3',
  schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
};

function span(
  overrides: Partial<ReadableSpan> & { traceFlags?: number; traceState?: TraceState } = {},
): ReadableSpan {
  const { traceFlags = TraceFlags.SAMPLED, traceState, ...rest } = overrides;
  return {
    name: 'HTTP GET /api/items/:id',
    kind: SpanKind.SERVER,
    spanContext: () => ({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags,
      ...(traceState ? { traceState } : {}),
    }),
    startTime: [1_764_000_000, 123_456_789],
    endTime: [1_764_000_001, 999_999_999],
    duration: [1, 876_543_210],
    ended: true,
    status: { code: SpanStatusCode.UNSET },
    attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200 },
    links: [],
    events: [],
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...rest,
  } as ReadableSpan;
}

const encoded = (spans: ReadableSpan[]) =>
  encodeRequest(
    spans.map((s) => ({ bytes: encodeSpan(s), resource: s.resource, scope: s.instrumentationScope })),
  );

const official = (spans: ReadableSpan[]) => ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array;

function expectSameBytes(spans: ReadableSpan[]): void {
  expect(Buffer.from(encoded(spans)).toString('hex')).toBe(Buffer.from(official(spans)).toString('hex'));
}

const link: Link = {
  context: {
    traceId: 'a1a2a3a4a5a6a7a8a9aaabacadaeafb0',
    spanId: 'b1b2b3b4b5b6b7b8',
    traceFlags: TraceFlags.SAMPLED | 0x02,
    isRemote: true,
    traceState: new TraceState('vendor=x'),
  },
  attributes: { 'link.kind': 'follows' },
  droppedAttributesCount: 2,
};

describe('OTLP span encoder (byte-identical to ProtobufTraceSerializer)', () => {
  it('a plain server span', () => expectSameBytes([span()]));

  it('every attribute value type: int, negative int, int64 edge, double, NaN, ∞, bool, arrays, bytes', () =>
    expectSameBytes([
      span({
        attributes: {
          int: 42,
          zero: 0,
          negative: -7,
          big: 2 ** 53 + 2,
          int64Max: 2 ** 62,
          int64Min: -(2 ** 63),
          beyondInt64: 2 ** 63,
          double: 3.25,
          nan: Number.NaN,
          inf: Number.POSITIVE_INFINITY,
          yes: true,
          no: false,
          empty: '',
          strings: ['a', 'b', ''],
          numbers: [1, -2.5, 3],
          bools: [true, false],
          bytes: new Uint8Array([0, 1, 255]) as never,
        },
      }),
    ]));

  it('non-ASCII text, lone surrogates and long strings (multi-byte lengths)', () =>
    expectSameBytes([
      span({
        name: 'llm.inference — 模型 🚀',
        attributes: { prompt: 'é'.repeat(300), lone: 'a\ud800b', long: 'x'.repeat(20_000) },
      }),
    ]));

  it('parent (remote and local), trace state, random flag, status with message, kinds', () => {
    const base = span();
    expectSameBytes([
      span({
        parentSpanContext: { ...base.spanContext(), spanId: '1111111111111111', isRemote: true },
        traceState: new TraceState('autobot=1,other=2'),
        traceFlags: TraceFlags.SAMPLED | 0x02,
        status: { code: SpanStatusCode.ERROR, message: 'HTTP 503' },
      }),
      span({
        kind: SpanKind.CLIENT,
        parentSpanContext: { ...base.spanContext(), spanId: '2222222222222222', isRemote: false },
        status: { code: SpanStatusCode.OK },
      }),
      span({ kind: SpanKind.INTERNAL }),
    ]);
  });

  it("repeated attribute values (served from the encoder's cache) and values past its bounds encode alike", () => {
    const spans: ReadableSpan[] = [];
    for (let i = 0; i < 40; i++) {
      const attributes: Record<string, string | number | boolean> = {
        'http.request.method': i % 2 ? 'GET' : 'POST',
        'url.path': `/api/items/${i}`,
        'http.response.status_code': i % 3 ? 200 : 500,
        'server.port': 3000,
        flag: i % 2 === 0,
        'http.duration_ms': i + 0.5,
        'big.int': 2 ** 53 + i * 2,
        'long.value': 'v'.repeat(70 + i),
      };
      // More keys than the cache keeps (256): 320 distinct ones over the batch.
      for (let k = 0; k < 8; k++) attributes[`key.${i}.${k}`] = `value-${k}`;
      spans.push(span({ attributes }));
    }
    expectSameBytes(spans);
    expectSameBytes(spans.reverse());
  });

  // The API accepts ids in either case (isValidTraceId); non-hex ids never reach an exporter.
  it('ids in upper-case hex are written as the official serializer writes them', () => {
    const withIds = (traceId: string, spanId: string) =>
      span({ spanContext: () => ({ traceId, spanId, traceFlags: TraceFlags.SAMPLED }) });
    expectSameBytes([
      withIds('4BF92F3577B34DA6A3CE929D0E0E4736', '00F067AA0BA902B7'),
      withIds('4bf92F3577b34DA6a3ce929d0e0e4736', '00f067AA0ba902b7'),
    ]);
  });

  it('events, links and dropped counts', () =>
    expectSameBytes([
      span({
        events: [
          { name: 'exception', time: [1_764_000_000, 5], attributes: { 'exception.type': 'Error' } },
          { name: 'no-attributes', time: [1_764_000_000, 6], droppedAttributesCount: 3 },
        ],
        links: [link, { context: { ...link.context, isRemote: false, traceState: undefined } }],
        droppedAttributesCount: 4,
        droppedEventsCount: 5,
        droppedLinksCount: 6,
      }),
    ]));

  it('a batch over two resources and three scopes keeps the grouping and order', () => {
    const spans = [
      span(),
      span({ instrumentationScope: versionedScope, name: 'GET' }),
      span({ resource: otherResource }),
      span({ name: 'second server span' }),
      span({ resource: otherResource, instrumentationScope: { name: 'autobot.redis', version: '' } }),
    ];
    expectSameBytes(spans);
  });

  it('timestamps keep every nanosecond past 2100 (fixed64 beyond 2^53)', () => {
    const spans = [span({ startTime: [4_102_444_800, 1], endTime: [4_102_444_800, 999_999_999] })];
    expectSameBytes(spans);
  });
});
