import { describe, expect, it } from 'vitest';
import type { DecodedBatch } from '../src/model.js';
import { DEFAULT_DECODE_LIMITS } from '../src/otlp/decode-common.js';
import { decodeProtobufRequest } from '../src/otlp/decode-protobuf.js';
import { ExportTraceServiceRequest } from '../src/otlp/schema.js';
import { decodeWithProtobufjs } from './otlp-protobufjs-oracle.js';
import { Gen, prng, requestBytes } from './otlp-random-requests.js';

// The wire reader against the decoder it replaced (protobufjs objects + the shared walker), on
// edge-case requests encoded by protobufjs, on random requests written field by field (any field
// order, unknown fields of every wire type, repeated scalars) and on damaged copies of them.

type Outcome = { batch: DecodedBatch } | { malformed: string };

function run(decode: (b: Uint8Array) => DecodedBatch, bytes: Uint8Array): Outcome {
  try {
    return { batch: decode(bytes) };
  } catch (error) {
    expect((error as { code?: string }).code).toBe('AUTOBOT_ERR_COLLECTOR_INVALID_PAYLOAD');
    return { malformed: (error as Error).message };
  }
}

const limits = { ...DEFAULT_DECODE_LIMITS, maxAttributesPerSpan: 12, maxEventsPerSpan: 3 };
const ours = (b: Uint8Array) => decodeProtobufRequest(b, limits);
const oracle = (b: Uint8Array) => decodeWithProtobufjs(b, limits);

/** Both decoders give the same batch (or both call the bytes malformed). */
function expectSame(bytes: Uint8Array): Outcome {
  const a = run(ours, bytes);
  const b = run(oracle, bytes);
  if ('batch' in b) expect(a).toStrictEqual(b);
  else expect(a).toHaveProperty('malformed');
  return a;
}

const encode = (request: unknown) =>
  ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request as object)).finish();

const T = Buffer.alloc(16, 0xab);
const S = Buffer.alloc(8, 0xcd);
const span = (over: Record<string, unknown> = {}) => ({
  traceId: T,
  spanId: S,
  name: 'op',
  startTimeUnixNano: '1700000000000000123',
  endTimeUnixNano: '1700000000000100999',
  ...over,
});
const request = (spans: unknown[], resource: unknown = { attributes: [] }, scope: unknown = {}) => ({
  resourceSpans: [{ resource, scopeSpans: [{ scope, spans }] }],
});
const kv = (key: string, value: Record<string, unknown>) => ({ key, value });
const BAD_UTF8 = Buffer.from([0x61, 0xff, 0x62]);

describe('wire reader = protobufjs + walker on edge cases', () => {
  const cases: [string, unknown][] = [
    [
      'int64 edges, doubles, bytes, nesting',
      request([
        span({
          attributes: [
            kv('max', { intValue: '9223372036854775807' }),
            kv('min', { intValue: '-9223372036854775808' }),
            kv('2p53p1', { intValue: '9007199254740993' }),
            kv('neg', { intValue: '-1' }),
            kv('nan', { doubleValue: Number.NaN }),
            kv('inf', { doubleValue: Number.POSITIVE_INFINITY }),
            kv('ninf', { doubleValue: Number.NEGATIVE_INFINITY }),
            kv('negzero', { doubleValue: -0 }),
            kv('five', { doubleValue: 5 }),
            kv('bytes', { bytesValue: Buffer.from([0, 1, 254, 255]) }),
            kv('empty', {}),
            kv('deep', nested(12)),
          ],
        }),
      ]),
    ],
    [
      'kvlist, arrays, bools, U+FFFD',
      request([
        span({
          name: 'a\uFFFDb',
          attributes: [
            kv('list', { kvlistValue: { values: [kv('x', { boolValue: true }), { key: 'nothing' }] } }),
            kv('arr', { arrayValue: { values: [{ stringValue: 's' }, {}, { intValue: 3 }] } }),
            kv('f', { boolValue: false }),
            kv('__proto__', { stringValue: 'p' }),
          ],
        }),
      ]),
    ],
    [
      'events, links, status, flags, dropped counts, timestamps at the uint64 edge',
      request(
        [
          span({
            traceState: 'k=v',
            parentSpanId: Buffer.alloc(8, 0),
            kind: 5,
            flags: 0x301,
            droppedAttributesCount: 3,
            droppedEventsCount: 4,
            droppedLinksCount: 5,
            status: { code: 2, message: 'boom' },
            startTimeUnixNano: '18446744073709551615',
            endTimeUnixNano: '1',
            events: [
              { timeUnixNano: '1700000000000000999', name: 'e', droppedAttributesCount: 2 },
              { name: 'exception', attributes: [kv('exception.type', { stringValue: 'Error' })] },
            ],
            links: [
              { traceId: T, spanId: S, traceState: 'a=b', flags: 1, droppedAttributesCount: 1 },
              { traceId: T, spanId: S, attributes: [kv('l', { intValue: 1 })] },
            ],
          }),
        ],
        { attributes: [kv('service.name', { stringValue: 'svc' })], droppedAttributesCount: 7 },
        { name: 's', version: '1', attributes: [kv('sa', { stringValue: 'x' })], droppedAttributesCount: 2 },
      ),
    ],
    [
      'rejections: ids, kinds, status codes, limits',
      request([
        span({ traceId: Buffer.alloc(15, 1) }),
        span({ traceId: Buffer.alloc(16, 0) }),
        span({ spanId: Buffer.alloc(0) }),
        span({ parentSpanId: Buffer.alloc(3, 1) }),
        span({ kind: 6 }),
        span({ kind: -1 }),
        span({ status: { code: 3 } }),
        span({ attributes: Array.from({ length: 13 }, (_, i) => kv(`k${i}`, { intValue: i })) }),
        span({ events: Array.from({ length: 4 }, () => ({ name: 'e' })) }),
        span({ links: [{ traceId: T, spanId: Buffer.alloc(8, 0) }] }),
        span({ kind: 9, traceId: Buffer.alloc(2) }),
        span(),
      ]),
    ],
    ['an empty request', {}],
    ['a resource without spans', { resourceSpans: [{ resource: { attributes: [] } }] }],
  ];
  for (const [name, req] of cases) {
    it(name, () => {
      const out = expectSame(encode(req));
      expect(out).toHaveProperty('batch');
    });
  }

  it('broken UTF-8 in every string rejects the span (or the spans under it); a real U+FFFD passes', () => {
    const places: [string, (s: Buffer) => unknown][] = [
      ['name', (s) => request([span({ name: s }), span()])],
      ['traceState', (s) => request([span({ traceState: s })])],
      ['status', (s) => request([span({ status: { message: s } })])],
      ['key', (s) => request([span({ attributes: [{ key: s, value: { intValue: 1 } }] })])],
      ['value', (s) => request([span({ attributes: [kv('k', { stringValue: s })] })])],
      [
        'kvlist key',
        (s) => request([span({ attributes: [kv('k', { kvlistValue: { values: [{ key: s }] } })] })]),
      ],
      ['event', (s) => request([span({ events: [{ name: s }] })])],
      ['link', (s) => request([span({ links: [{ traceId: T, spanId: S, traceState: s }] })])],
      ['resource', (s) => request([span(), span()], { attributes: [kv('r', { stringValue: s })] })],
      ['scope', (s) => request([span(), span()], {}, { version: s })],
    ];
    for (const [where, make] of places) {
      // protobufjs cannot encode bytes into a string field: encode a placeholder and patch it.
      const placeholder = Buffer.from('a@b');
      const bytes = Buffer.from(encode(make(placeholder.toString() as unknown as Buffer)));
      const at = bytes.indexOf(placeholder);
      BAD_UTF8.copy(bytes, at);
      const out = expectSame(bytes);
      expect(out, where).toHaveProperty('batch.rejected');
      expect((out as { batch: DecodedBatch }).batch.rejected, where).toBeGreaterThan(0);
      expectSame(encode(make(Buffer.from('a\uFFFDb') as unknown as Buffer)));
    }
  });

  it('malformed bytes are refused as a whole', () => {
    for (const bytes of [
      [0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01],
      [0x0a],
      [0x0a, 0x05, 0x12, 0x03],
      [0x0b],
      [0x0c],
      [0x0e],
      [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
    ]) {
      const out = run(ours, new Uint8Array(bytes));
      expect(out, JSON.stringify(bytes)).toHaveProperty('malformed');
      expect((out as { malformed: string }).malformed).toMatch(
        /^malformed protobuf ExportTraceServiceRequest/,
      );
      expectSame(new Uint8Array(bytes));
    }
  });
});

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { stringValue: 'leaf' };
  for (let i = 0; i < depth; i++) {
    value = i % 2 ? { arrayValue: { values: [value] } } : { kvlistValue: { values: [kv(`l${i}`, value)] } };
  }
  return value;
}

describe('wire reader = protobufjs + walker on random requests', () => {
  it('1,000 random requests: the same batches, rejections and reasons', () => {
    const g = new Gen(prng(20261203));
    let spans = 0;
    let rejected = 0;
    for (let i = 0; i < 1000; i++) {
      const out = expectSame(requestBytes(g));
      expect(out, `request ${i}`).toHaveProperty('batch');
      const batch = (out as { batch: DecodedBatch }).batch;
      spans += batch.spanCount;
      rejected += batch.rejected;
    }
    // The generator must exercise both paths.
    expect(spans).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(100);
  });

  it('damaged copies: never accepted where protobufjs refused, the same batch where both accept', () => {
    const g = new Gen(prng(7));
    let refusedByBoth = 0;
    let refusedByUsOnly = 0;
    for (let i = 0; i < 1000; i++) {
      const bytes = requestBytes(g);
      if (bytes.length === 0) continue;
      const damaged = Buffer.from(bytes);
      if (g.chance(0.3)) {
        damaged[g.int(damaged.length)] = g.int(256);
      } else if (g.chance(0.5)) {
        const at = g.int(damaged.length);
        damaged[at] = (damaged[at] ?? 0) ^ (1 << g.int(8));
      }
      const cut = g.chance(0.4) ? damaged.subarray(0, g.int(damaged.length)) : damaged;
      const a = run(ours, cut);
      const b = run(oracle, cut);
      if ('batch' in a) expect(b, `damaged ${i}`).toStrictEqual(a);
      else if ('malformed' in b) refusedByBoth++;
      else refusedByUsOnly++;
    }
    expect(refusedByBoth).toBeGreaterThan(100);
    // Only a field overrunning its enclosing message is refused here and read on by protobufjs.
    expect(refusedByUsOnly).toBeLessThan(refusedByBoth);
  });
});
