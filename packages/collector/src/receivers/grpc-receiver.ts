import * as grpc from '@grpc/grpc-js';
import type { IngestSink } from '../ingest.js';
import type { DecodedBatch } from '../model.js';
import type { DecodeLimits } from '../otlp/decode-common.js';
import { decodeProtobufRequest } from '../otlp/decode-protobuf.js';
import { encodeExportResponse, OTLP_TRACE_EXPORT_PATH } from '../otlp/schema.js';

/** Options of the OTLP/gRPC receiver. */
export interface GrpcReceiverOptions {
  host: string;
  port: number;
  /** Largest accepted message (after decompression); larger ones get RESOURCE_EXHAUSTED. */
  maxMessageBytes: number;
  limits: DecodeLimits;
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
  const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    const body = call.request;
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
    server.bindAsync(
      hostPort(options.host, options.port),
      grpc.ServerCredentials.createInsecure(),
      (error, bound) => {
        if (error) reject(error);
        else resolve(bound);
      },
    );
  });
  return { server, port };
}
