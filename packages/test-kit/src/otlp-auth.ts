import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

/** The OTLP/gRPC trace export method. */
const OTLP_TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** A fresh random 128-bit trace id (hex). */
export const newTraceId = () => randomBytes(16).toString('hex');

interface ProbeSpan {
  traceId: string;
  spanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}

function probeSpan(traceId: string): ProbeSpan {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId,
    spanId: randomBytes(8).toString('hex'),
    name: 'auth.probe',
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
  };
}

/** One span of `service` in trace `traceId`, as OTLP/JSON. */
export function jsonBody(traceId: string, service = 'auth-test'): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: 'auth-test' }, spans: [probeSpan(traceId)] }],
      },
    ],
  });
}

/**
 * The same span as OTLP protobuf (for gRPC), written field by field from the opentelemetry-proto
 * numbers — independent of the collector's own schema, so a test cannot pass by sharing its bugs.
 */
export function protobufBody(traceId: string, service = 'auth-test'): Buffer {
  const span = probeSpan(traceId);
  const LEN = 2;
  const tag = (field: number, wire: number) => (field << 3) | wire;
  const w = protobuf.Writer.create();
  w.uint32(tag(1, LEN)).fork(); // ExportTraceServiceRequest.resource_spans
  w.uint32(tag(1, LEN)).fork(); // ResourceSpans.resource
  w.uint32(tag(1, LEN)).fork(); // Resource.attributes
  w.uint32(tag(1, LEN)).string('service.name');
  w.uint32(tag(2, LEN)).fork().uint32(tag(1, LEN)).string(service).ldelim(); // AnyValue.string_value
  w.ldelim().ldelim();
  w.uint32(tag(2, LEN)).fork(); // ResourceSpans.scope_spans
  w.uint32(tag(1, LEN)).fork().uint32(tag(1, LEN)).string('auth-test').ldelim(); // scope.name
  w.uint32(tag(2, LEN)).fork(); // ScopeSpans.spans
  w.uint32(tag(1, LEN)).bytes(Buffer.from(span.traceId, 'hex'));
  w.uint32(tag(2, LEN)).bytes(Buffer.from(span.spanId, 'hex'));
  w.uint32(tag(5, LEN)).string(span.name);
  w.uint32(tag(6, 0)).uint32(span.kind);
  for (const [field, ns] of [
    [7, span.startTimeUnixNano],
    [8, span.endTimeUnixNano],
  ] as const) {
    // fixed64, little-endian: low then high 32 bits (exact, unlike a JavaScript number).
    const value = BigInt(ns);
    w.uint32(tag(field, 1))
      .fixed32(Number(value & 0xffffffffn))
      .fixed32(Number(value >> 32n));
  }
  w.ldelim().ldelim().ldelim();
  return Buffer.from(w.finish());
}

/** TLS options of a client request. */
export interface ClientTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** A raw HTTP(S) request (no connection reuse); resolves status, headers and body text. */
export function send(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    tls?: ClientTls;
    localAddress?: string;
  },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        ...(options.tls ?? {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POSTs one span over OTLP/HTTP JSON, with a bearer token and/or client TLS when given. */
export function postSpan(
  httpUrl: string,
  traceId: string,
  options: { token?: string; tls?: ClientTls; localAddress?: string; service?: string } = {},
) {
  return send(`${httpUrl}/v1/traces`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    body: jsonBody(traceId, options.service),
    tls: options.tls,
    localAddress: options.localAddress,
  });
}

/** One gRPC Export call; resolves the status code (0 = OK) and the trailing metadata. */
export async function grpcExport(
  target: string,
  traceId: string,
  options: { token?: string; tls?: ClientTls | false } = {},
): Promise<{ code: number; details: string; metadata?: grpc.Metadata }> {
  const credentials =
    options.tls === undefined || options.tls === false
      ? grpc.credentials.createInsecure()
      : grpc.credentials.createSsl(options.tls.ca ?? null, options.tls.key ?? null, options.tls.cert ?? null);
  const client = new grpc.Client(target, credentials);
  const metadata = new grpc.Metadata();
  if (options.token !== undefined) metadata.set('authorization', `Bearer ${options.token}`);
  try {
    return await new Promise((resolve) => {
      client.makeUnaryRequest(
        OTLP_TRACE_EXPORT_PATH,
        (b: Buffer) => b,
        (b: Buffer) => b,
        protobufBody(traceId),
        metadata,
        { deadline: Date.now() + 10_000 },
        (error) => {
          if (error) resolve({ code: error.code, details: error.details, metadata: error.metadata });
          else resolve({ code: 0, details: '' });
        },
      );
    });
  } finally {
    client.close();
  }
}
