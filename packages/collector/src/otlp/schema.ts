import protobuf from 'protobufjs';

/*
 * The OTLP trace messages (opentelemetry-proto, Apache-2.0) described as a protobufjs JSON
 * descriptor: field names and numbers are the public wire interface. protobufjs encodes the
 * responses with it; requests are read by the collector's own wire reader (`decode-protobuf.ts`,
 * same field numbers in `wire-schema.ts`), and the tests decode with protobufjs as its oracle. Deprecated fields
 * (instrumentation_library_spans = 1000) are left out, so old senders' data in them is ignored.
 */
const KEY_VALUE_FIELDS = { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } };

const DESCRIPTOR = {
  nested: {
    otlp: {
      nested: {
        AnyValue: {
          oneofs: {
            value: {
              oneof: [
                'stringValue',
                'boolValue',
                'intValue',
                'doubleValue',
                'arrayValue',
                'kvlistValue',
                'bytesValue',
              ],
            },
          },
          fields: {
            stringValue: { type: 'string', id: 1 },
            boolValue: { type: 'bool', id: 2 },
            intValue: { type: 'int64', id: 3 },
            doubleValue: { type: 'double', id: 4 },
            arrayValue: { type: 'ArrayValue', id: 5 },
            kvlistValue: { type: 'KeyValueList', id: 6 },
            bytesValue: { type: 'bytes', id: 7 },
          },
        },
        ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
        KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
        KeyValue: { fields: KEY_VALUE_FIELDS },
        InstrumentationScope: {
          fields: {
            name: { type: 'string', id: 1 },
            version: { type: 'string', id: 2 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 3 },
            droppedAttributesCount: { type: 'uint32', id: 4 },
          },
        },
        Resource: {
          fields: {
            attributes: { rule: 'repeated', type: 'KeyValue', id: 1 },
            droppedAttributesCount: { type: 'uint32', id: 2 },
          },
        },
        ResourceSpans: {
          fields: {
            resource: { type: 'Resource', id: 1 },
            scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
            schemaUrl: { type: 'string', id: 3 },
          },
        },
        ScopeSpans: {
          fields: {
            scope: { type: 'InstrumentationScope', id: 1 },
            spans: { rule: 'repeated', type: 'Span', id: 2 },
            schemaUrl: { type: 'string', id: 3 },
          },
        },
        Span: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            traceState: { type: 'string', id: 3 },
            parentSpanId: { type: 'bytes', id: 4 },
            name: { type: 'string', id: 5 },
            kind: { type: 'int32', id: 6 },
            startTimeUnixNano: { type: 'fixed64', id: 7 },
            endTimeUnixNano: { type: 'fixed64', id: 8 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
            droppedAttributesCount: { type: 'uint32', id: 10 },
            events: { rule: 'repeated', type: 'Event', id: 11 },
            droppedEventsCount: { type: 'uint32', id: 12 },
            links: { rule: 'repeated', type: 'Link', id: 13 },
            droppedLinksCount: { type: 'uint32', id: 14 },
            status: { type: 'Status', id: 15 },
            flags: { type: 'fixed32', id: 16 },
          },
          nested: {
            Event: {
              fields: {
                timeUnixNano: { type: 'fixed64', id: 1 },
                name: { type: 'string', id: 2 },
                attributes: { rule: 'repeated', type: 'KeyValue', id: 3 },
                droppedAttributesCount: { type: 'uint32', id: 4 },
              },
            },
            Link: {
              fields: {
                traceId: { type: 'bytes', id: 1 },
                spanId: { type: 'bytes', id: 2 },
                traceState: { type: 'string', id: 3 },
                attributes: { rule: 'repeated', type: 'KeyValue', id: 4 },
                droppedAttributesCount: { type: 'uint32', id: 5 },
                flags: { type: 'fixed32', id: 6 },
              },
            },
          },
        },
        Status: {
          fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } },
        },
        ExportTraceServiceRequest: {
          fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } },
        },
        RpcStatus: {
          fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } },
        },
        ExportTracePartialSuccess: {
          fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
        },
        ExportTraceServiceResponse: {
          fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(DESCRIPTOR);

// Every `string` field read as raw bytes (same wire type): protobufjs would turn invalid UTF-8
// into U+FFFD, which a sender may also send on purpose. The protobufjs decoder of the tests
// (test/otlp-protobufjs-oracle.ts) validates the bytes itself (`isUtf8`) with it.
const rawRoot = protobuf.Root.fromJSON(
  JSON.parse(
    JSON.stringify(DESCRIPTOR).replaceAll('"type":"string"', '"type":"bytes"'),
  ) as protobuf.INamespace,
);

/**
 * `ExportTraceServiceRequest` with every string field typed `bytes`, for decoding with UTF-8
 * validation (the protobufjs oracle of the tests).
 */
export const ExportTraceServiceRequestRaw: protobuf.Type = rawRoot.lookupType(
  'otlp.ExportTraceServiceRequest',
);

/** protobufjs type of `ExportTraceServiceRequest`. */
export const ExportTraceServiceRequest: protobuf.Type = root.lookupType('otlp.ExportTraceServiceRequest');
/** protobufjs type of `ExportTraceServiceResponse`. */
export const ExportTraceServiceResponse: protobuf.Type = root.lookupType('otlp.ExportTraceServiceResponse');

/** protobufjs type of `google.rpc.Status` (the OTLP/HTTP error body; `details` left out). */
export const RpcStatus: protobuf.Type = root.lookupType('otlp.RpcStatus');

/** gRPC method path of the OTLP trace service. */
export const OTLP_TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/**
 * Encodes an `ExportTraceServiceResponse`; with `rejected > 0` it carries `partial_success`.
 */
export function encodeExportResponse(rejected: number, message: string): Uint8Array {
  const payload =
    rejected > 0 || message ? { partialSuccess: { rejectedSpans: rejected, errorMessage: message } } : {};
  return ExportTraceServiceResponse.encode(ExportTraceServiceResponse.fromObject(payload)).finish();
}
