import { describe, expect, it } from 'vitest';
import { decodeProtobufRequest } from '../src/otlp/decode-protobuf.js';

// The nesting limit of the wire reader (MAX_MESSAGE_DEPTH in wire-schema.ts) where it bites: an
// attribute value nested as deep as it may be is kept (as null below 8 levels), one level more
// refuses the request. The deepest value that passes depends on where it stands, because the
// reader checks a message at the depth of the pass that meets it first (the scan of a resource,
// the walk from a span's first event); these are the limits the decoder has had, pinned so that a
// change to how messages are walked cannot move them unnoticed.

const varint = (v: number): number[] => {
  const out: number[] = [];
  let x = v;
  while (x >= 0x80) {
    out.push((x & 0x7f) | 0x80);
    x = Math.floor(x / 128);
  }
  out.push(x);
  return out;
};
const len = (field: number, body: number[]) => [...varint(field * 8 + 2), ...varint(body.length), ...body];
const str = (field: number, s: string | Buffer) =>
  len(field, [...(typeof s === 'string' ? Buffer.from(s) : s)]);
const fixed64 = (field: number, v: number) => [...varint(field * 8 + 1), v, 0, 0, 0, 0, 0, 0, 0];

/** An `AnyValue` that is `levels` array values around a string. */
function nested(levels: number): number[] {
  let value = str(1, 'leaf');
  for (let i = 0; i < levels; i++) value = len(5, len(1, value));
  return value;
}
const attribute = (value: number[]) => [...str(1, 'deep'), ...len(2, value)];
const span = (extra: number[]) => [
  ...str(1, Buffer.alloc(16, 0xab)),
  ...str(2, Buffer.alloc(8, 0xcd)),
  ...str(5, 'op'),
  ...extra,
];
const event = (attrs: number[] = []) => len(11, [...fixed64(1, 5), ...str(2, 'e'), ...attrs]);
function request(spanFields: number[], resource: number[] = [], scope: number[] = [], scopeLast = false) {
  const spans = len(2, span(spanFields));
  const scopeSpans = scopeLast ? [...spans, ...len(1, scope)] : [...len(1, scope), ...spans];
  return Buffer.from(len(1, [...len(1, resource), ...len(2, scopeSpans)]));
}

const places: [string, number, (value: number[]) => Buffer][] = [
  ['a span attribute', 258, (v) => request(len(9, attribute(v)))],
  ['a span attribute after an event', 254, (v) => request([...event(), ...len(9, attribute(v))])],
  ['an event attribute', 258, (v) => request(event(len(3, attribute(v))))],
  ['a resource attribute', 254, (v) => request([], len(1, attribute(v)))],
  ['a scope attribute', 253, (v) => request([], [], len(3, attribute(v)))],
  ['a scope attribute, the scope after the spans', 253, (v) => request([], [], len(3, attribute(v)), true)],
];

describe('wire reader nesting limit', () => {
  for (const [where, deepest, make] of places) {
    it(`${where}: ${deepest} levels pass, ${deepest + 1} are refused`, () => {
      const batch = decodeProtobufRequest(make(nested(deepest)));
      expect(batch.rejected).toBe(0);
      expect(batch.spanCount).toBe(1);
      expect(() => decodeProtobufRequest(make(nested(deepest + 1)))).toThrow(
        /^malformed protobuf ExportTraceServiceRequest: message nested deeper than 512 levels$/,
      );
    });
  }
});
