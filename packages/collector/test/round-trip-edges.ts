// The edges round-trip.test.ts sends and expects back: one trace (a root and a child) with every
// OTLP value type at its edges, as protobuf and as OTLP/JSON (offsets as in
// fixtures/otlp_grpc_client.py), and what Jaeger v1 and v3 must show for those values.
import { randomBytes } from 'node:crypto';
import { ExportTraceServiceRequest } from '../src/otlp/schema.js';

export const INT_MAX = 9223372036854775807n;
export const INT_MIN = -9223372036854775808n;
// Nanosecond base with a sub-microsecond part; offsets as in fixtures/otlp_grpc_client.py.
export const BASE = BigInt(Date.now() - 60_000) * 1_000_000n + 123n;
export const ROOT_END = BASE + 100_999n; // 100,999 ns: Jaeger v1 shows 100 µs
export const CHILD_START = BASE + 49_878n;
export const CHILD_END = BASE + 59_877n; // 9,999 ns: 9 µs
export const EVENT_TIME = BASE + 55_432n;
export const SCHEMA_URL = 'https://opentelemetry.io/schemas/1.26.0';
export const LINK_TRACE = 'ab'.repeat(16);
export const LINK_SPAN = 'cd'.repeat(8);

export interface Ids {
  traceId: string;
  rootId: string;
  childId: string;
}
export const newIds = (): Ids => ({
  traceId: randomBytes(16).toString('hex'),
  rootId: randomBytes(8).toString('hex'),
  childId: randomBytes(8).toString('hex'),
});

/** The edge attributes as protobufjs `fromObject` input (int64 as decimal strings, exact). */
const PB_ATTRIBUTES = [
  { key: 'int.safe', value: { intValue: '42' } },
  { key: 'int.2p53p1', value: { intValue: '9007199254740993' } },
  { key: 'int.neg', value: { intValue: '-9007199254740993' } },
  { key: 'int.max', value: { intValue: INT_MAX.toString() } },
  { key: 'int.min', value: { intValue: INT_MIN.toString() } },
  { key: 'dbl.nan', value: { doubleValue: Number.NaN } },
  { key: 'dbl.inf', value: { doubleValue: Number.POSITIVE_INFINITY } },
  { key: 'dbl.ninf', value: { doubleValue: Number.NEGATIVE_INFINITY } },
  { key: 'dbl.int', value: { doubleValue: 5 } },
  { key: 'dbl.frac', value: { doubleValue: 0.1 } },
  { key: 'dbl.tiny', value: { doubleValue: 5e-324 } },
  { key: 'bytes', value: { bytesValue: Buffer.from([0, 1, 254, 255]) } },
  { key: 'str.fffd', value: { stringValue: 'a\uFFFDb' } },
  { key: 'bool', value: { boolValue: true } },
  {
    key: 'arr',
    value: { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'x' }, { doubleValue: 2 }] } },
  },
];

/**
 * The same attributes as OTLP/JSON text. int64 both ways the JSON mapping allows: bare numbers
 * (9007199254740993 and int64 min, which JSON.parse would round) and decimal strings.
 */
const JSON_ATTRIBUTES = `[
  {"key":"int.safe","value":{"intValue":42}},
  {"key":"int.2p53p1","value":{"intValue":9007199254740993}},
  {"key":"int.neg","value":{"intValue":"-9007199254740993"}},
  {"key":"int.max","value":{"intValue":"9223372036854775807"}},
  {"key":"int.min","value":{"intValue":-9223372036854775808}},
  {"key":"dbl.nan","value":{"doubleValue":"NaN"}},
  {"key":"dbl.inf","value":{"doubleValue":"Infinity"}},
  {"key":"dbl.ninf","value":{"doubleValue":"-Infinity"}},
  {"key":"dbl.int","value":{"doubleValue":5.0}},
  {"key":"dbl.frac","value":{"doubleValue":0.1}},
  {"key":"dbl.tiny","value":{"doubleValue":5e-324}},
  {"key":"bytes","value":{"bytesValue":"AAH+/w=="}},
  {"key":"str.fffd","value":{"stringValue":"a\uFFFDb"}},
  {"key":"bool","value":{"boolValue":true}},
  {"key":"arr","value":{"arrayValue":{"values":[{"intValue":"1"},{"stringValue":"x"},{"doubleValue":2.0}]}}}
]`;

/**
 * The root and the child span of the edge trace in the protobuf JSON mapping, ids made by `id`
 * from hex (bytes for protobufjs, hex as v3 returns them): what the protobuf request sends and
 * what v3 returns (which adds an empty `status` to the root).
 */
export function edgeSpans<I>(ids: Ids, id: (hex: string) => I, attributes: readonly object[]) {
  return [
    {
      traceId: id(ids.traceId),
      spanId: id(ids.rootId),
      traceState: 'vendor=abc',
      name: 'edge.root',
      kind: 2,
      startTimeUnixNano: BASE.toString(),
      endTimeUnixNano: ROOT_END.toString(),
      attributes,
    },
    {
      traceId: id(ids.traceId),
      spanId: id(ids.childId),
      parentSpanId: id(ids.rootId),
      name: 'edge.child',
      kind: 3,
      startTimeUnixNano: CHILD_START.toString(),
      endTimeUnixNano: CHILD_END.toString(),
      events: [
        {
          timeUnixNano: EVENT_TIME.toString(),
          name: 'exception',
          attributes: [
            { key: 'exception.type', value: { stringValue: 'Error' } },
            { key: 'retry.delay', value: { doubleValue: 3 } },
          ],
          droppedAttributesCount: 2,
        },
      ],
      links: [
        {
          traceId: id(LINK_TRACE),
          spanId: id(LINK_SPAN),
          traceState: 'l=1',
          attributes: [{ key: 'link.n', value: { intValue: '7' } }],
          droppedAttributesCount: 1,
          flags: 0x301,
        },
      ],
      status: { code: 2, message: 'boom' },
    },
  ] as const;
}

export function protobufRequest(ids: Ids): Buffer {
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: [
      {
        resource: {
          attributes: [{ key: 'service.name', value: { stringValue: 'edge-svc' } }],
          droppedAttributesCount: 3,
        },
        schemaUrl: SCHEMA_URL,
        scopeSpans: [
          {
            scope: { name: 'edge.scope', version: '9.9.9', droppedAttributesCount: 4 },
            spans: [...edgeSpans(ids, (h) => Buffer.from(h, 'hex'), PB_ATTRIBUTES)],
          },
        ],
      },
    ],
  });
  return Buffer.from(ExportTraceServiceRequest.encode(message).finish());
}

export function jsonRequest(ids: Ids): string {
  return `{"resourceSpans":[{
    "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"edge-svc"}}],"droppedAttributesCount":3},
    "schemaUrl":"${SCHEMA_URL}",
    "scopeSpans":[{"scope":{"name":"edge.scope","version":"9.9.9","droppedAttributesCount":4},"spans":[
      {"traceId":"${ids.traceId}","spanId":"${ids.rootId}","traceState":"vendor=abc","name":"edge.root","kind":2,
       "startTimeUnixNano":"${BASE}","endTimeUnixNano":${ROOT_END},"attributes":${JSON_ATTRIBUTES}},
      {"traceId":"${ids.traceId}","spanId":"${ids.childId}","parentSpanId":"${ids.rootId}","name":"edge.child",
       "kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"${CHILD_START}","endTimeUnixNano":"${CHILD_END}",
       "events":[{"timeUnixNano":"${EVENT_TIME}","name":"exception",
                  "attributes":[{"key":"exception.type","value":{"stringValue":"Error"}},
                                {"key":"retry.delay","value":{"doubleValue":3}}],"droppedAttributesCount":2}],
       "links":[{"traceId":"${LINK_TRACE}","spanId":"${LINK_SPAN}","traceState":"l=1",
                 "attributes":[{"key":"link.n","value":{"intValue":"7"}}],"droppedAttributesCount":1,"flags":769}],
       "status":{"code":"STATUS_CODE_ERROR","message":"boom"}}]}]}]}`;
}

/** What Jaeger v1 must show for the edge attributes, bit for bit (int64 as exact JSON integers). */
export const V1_TAGS = [
  { key: 'int.safe', type: 'int64', value: 42 },
  { key: 'int.2p53p1', type: 'int64', value: 9007199254740993n },
  { key: 'int.neg', type: 'int64', value: -9007199254740993n },
  { key: 'int.max', type: 'int64', value: INT_MAX },
  { key: 'int.min', type: 'int64', value: INT_MIN },
  { key: 'dbl.nan', type: 'float64', value: 'NaN' },
  { key: 'dbl.inf', type: 'float64', value: 'Infinity' },
  { key: 'dbl.ninf', type: 'float64', value: '-Infinity' },
  { key: 'dbl.int', type: 'float64', value: 5 },
  { key: 'dbl.frac', type: 'float64', value: 0.1 },
  { key: 'dbl.tiny', type: 'float64', value: 5e-324 },
  { key: 'bytes', type: 'binary', value: 'AAH+/w==' },
  { key: 'str.fffd', type: 'string', value: 'a\uFFFDb' },
  { key: 'bool', type: 'bool', value: true },
  { key: 'arr', type: 'string', value: '[1,"x",2]' },
];

/** What v3 must return: the protobuf JSON mapping of the values sent. */
export const V3_ATTRIBUTES = [
  { key: 'int.safe', value: { intValue: '42' } },
  { key: 'int.2p53p1', value: { intValue: '9007199254740993' } },
  { key: 'int.neg', value: { intValue: '-9007199254740993' } },
  { key: 'int.max', value: { intValue: '9223372036854775807' } },
  { key: 'int.min', value: { intValue: '-9223372036854775808' } },
  { key: 'dbl.nan', value: { doubleValue: 'NaN' } },
  { key: 'dbl.inf', value: { doubleValue: 'Infinity' } },
  { key: 'dbl.ninf', value: { doubleValue: '-Infinity' } },
  { key: 'dbl.int', value: { doubleValue: 5 } },
  { key: 'dbl.frac', value: { doubleValue: 0.1 } },
  { key: 'dbl.tiny', value: { doubleValue: 5e-324 } },
  { key: 'bytes', value: { bytesValue: 'AAH+/w==' } },
  { key: 'str.fffd', value: { stringValue: 'a\uFFFDb' } },
  { key: 'bool', value: { boolValue: true } },
  {
    key: 'arr',
    value: { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'x' }, { doubleValue: 2 }] } },
  },
];
