import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import type { TlsMaterial } from '../auth/tls.js';
import { bearerToken } from '../auth/tokens.js';
import type { IngestSink } from '../ingest.js';
import type { DecodedBatch } from '../model.js';
import type { DecodeLimits } from '../otlp/decode-common.js';
import { decodeProtobufRequest } from '../otlp/decode-protobuf.js';
import { encodeExportResponse, OTLP_TRACE_EXPORT_PATH } from '../otlp/schema.js';
import { GRPC_RECEIVE_WINDOW_BYTES, widenReceiveWindow } from './grpc-flow-control.js';
import { admit, type ReceiverGuard } from './guard.js';

/** Options of the OTLP/gRPC receiver. */
export interface GrpcReceiverOptions {
  host: string;
  port: number;
  /** Largest accepted message (after decompression); larger ones get RESOURCE_EXHAUSTED. */
  maxMessageBytes: number;
  limits: DecodeLimits;
  /** Credentials and limits checked before the message is decoded. */
  guard: ReceiverGuard;
  /** Serve TLS (and request client certificates when a client CA is set). */
  tls?: TlsMaterial;
}

/**
 * `google.rpc.Status` with one `google.rpc.RetryInfo` detail, the OTLP/gRPC way of saying "retry
 * after": sent as `grpc-status-details-bin`. Encoded by hand (five fields) to avoid a descriptor.
 */
function retryStatusDetails(code: number, message: string, retryAfterMs: number): Buffer {
  const seconds = Math.floor(retryAfterMs / 1000);
  const nanos = (retryAfterMs % 1000) * 1_000_000;
  const duration = protobuf.Writer.create().uint32(8).int64(seconds).uint32(16).int32(nanos).finish();
  const retryInfo = protobuf.Writer.create().uint32(10).bytes(duration).finish();
  const any = protobuf.Writer.create()
    .uint32(10)
    .string('type.googleapis.com/google.rpc.RetryInfo')
    .uint32(18)
    .bytes(retryInfo)
    .finish();
  return Buffer.from(
    protobuf.Writer.create().uint32(8).int32(code).uint32(18).string(message).uint32(26).bytes(any).finish(),
  );
}

/** The address part of a grpc-js peer string (`127.0.0.1:5555`, `[::1]:5555`). */
function peerAddress(peer: string): string {
  const match = /^\[?([^\]]*?)\]?:\d+$/.exec(peer);
  return match?.[1] ?? peer;
}

/**
 * A certificate provider that hands out fixed PEM material (grpc-js watches providers). The
 * update is delivered on the next tick: grpc-js registers its own watcher only after adding the
 * listener, so a synchronous update would be lost.
 */
function staticProvider(update: { certificate: Buffer; privateKey: Buffer } | { caCertificate: Buffer }) {
  const deliver = (listener: (u: never) => void) => setImmediate(() => listener(update as never));
  return {
    addCaCertificateListener: deliver,
    removeCaCertificateListener: () => {},
    addIdentityCertificateListener: deliver,
    removeIdentityCertificateListener: () => {},
  };
}

/**
 * TLS credentials of the gRPC port. With a client CA, the certificate-provider credentials request
 * a client certificate without requiring one (`createSsl` can only require it), so token-only
 * clients still connect and an unverified certificate is answered UNAUTHENTICATED.
 */
function serverCredentials(tls: TlsMaterial | undefined): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  const identity = staticProvider({ certificate: Buffer.from(tls.cert), privateKey: Buffer.from(tls.key) });
  const ca = tls.clientCa === undefined ? null : staticProvider({ caCertificate: Buffer.from(tls.clientCa) });
  return grpc.experimental.createCertificateProviderServerCredentials(identity, ca, false);
}

const identity = (value: Buffer): Buffer => value;

const TRACE_SERVICE: grpc.ServiceDefinition = {
  Export: {
    path: OTLP_TRACE_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Starts the OTLP/gRPC receiver (`TraceService/Export`), answering per the OTLP spec. */
export async function startGrpcReceiver(
  sink: IngestSink,
  options: GrpcReceiverOptions,
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': 4 * 1024 * 1024,
  });
  widenReceiveWindow(server, GRPC_RECEIVE_WINDOW_BYTES);
  const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    // grpc-js only reports a peer certificate that verified against the client CA.
    const certVerified =
      options.tls?.clientCa !== undefined && call.getAuthContext().sslPeerCertificate !== undefined;
    const admission = admit(
      options.guard,
      sink,
      peerAddress(call.getPeer()),
      bearerToken(call.metadata.get('authorization').map(String)),
      certVerified,
    );
    if (!admission.ok) {
      if (admission.kind === 'throttled') {
        const trailer = new grpc.Metadata();
        trailer.set(
          'grpc-status-details-bin',
          retryStatusDetails(grpc.status.RESOURCE_EXHAUSTED, admission.reason, admission.retryAfterMs),
        );
        trailer.set('grpc-retry-pushback-ms', String(admission.retryAfterMs));
        callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: admission.reason, metadata: trailer });
      } else {
        callback({ code: grpc.status.UNAUTHENTICATED, details: admission.reason });
      }
      return;
    }
    try {
      exportBatch(call.request, callback);
    } finally {
      admission.release();
    }
  };
  const exportBatch = (body: Buffer, callback: grpc.sendUnaryData<Buffer>) => {
    let batch: DecodedBatch;
    try {
      batch = decodeProtobufRequest(body, options.limits);
    } catch (error) {
      sink.fail((error as Error).message, body.length);
      callback({ code: grpc.status.INVALID_ARGUMENT, details: (error as Error).message });
      return;
    }
    if (batch.spanCount === 0 && batch.rejected > 0) {
      const message = `all ${batch.rejected} span(s) rejected: ${batch.rejectReasons.join('; ')}`;
      sink.fail(message, body.length);
      callback({ code: grpc.status.INVALID_ARGUMENT, details: message });
      return;
    }
    try {
      const result = sink.ingest(batch, body.length);
      callback(null, Buffer.from(encodeExportResponse(result.rejected, result.message)));
    } catch (error) {
      const message = `storage failed: ${(error as Error).message}`;
      sink.fail(message);
      callback({ code: grpc.status.UNAVAILABLE, details: message });
    }
  };
  server.addService(TRACE_SERVICE, { Export: handler });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(hostPort(options.host, options.port), serverCredentials(options.tls), (error, bound) => {
      if (error) reject(error);
      else resolve(bound);
    });
  });
  return { server, port };
}
