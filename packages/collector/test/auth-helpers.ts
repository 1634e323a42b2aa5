import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import * as grpc from '@grpc/grpc-js';
import { ExportTraceServiceRequest, OTLP_TRACE_EXPORT_PATH } from '../src/otlp/schema.js';

/** A fresh random 128-bit trace id (hex). */
export const newTraceId = () => randomBytes(16).toString('hex');

/** One span of `service` in trace `traceId`, as OTLP/JSON. */
export function jsonBody(traceId: string, service = 'auth-test'): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'auth-test' },
            spans: [
              {
                traceId,
                spanId: randomBytes(8).toString('hex'),
                name: 'auth.probe',
                kind: 2,
                startTimeUnixNano: String(now),
                endTimeUnixNano: String(now + 1_000_000n),
              },
            ],
          },
        ],
      },
    ],
  });
}

/** The same span as OTLP protobuf (for gRPC). */
export function protobufBody(traceId: string, service = 'auth-test'): Buffer {
  const json = JSON.parse(jsonBody(traceId, service));
  const span = json.resourceSpans[0].scopeSpans[0].spans[0];
  span.traceId = Buffer.from(traceId, 'hex');
  span.spanId = Buffer.from(span.spanId, 'hex');
  const message = ExportTraceServiceRequest.fromObject(json);
  return Buffer.from(ExportTraceServiceRequest.encode(message).finish());
}

/** TLS options of a client request. */
export interface ClientTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** A raw HTTP(S) request; resolves status, headers and body text. */
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

/** POSTs one span over OTLP/HTTP JSON. */
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
      const call = client.makeUnaryRequest(
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
      void call;
    });
  } finally {
    client.close();
  }
}
