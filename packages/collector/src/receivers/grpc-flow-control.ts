import type { Http2Server, ServerHttp2Session, Settings } from 'node:http2';
import type * as grpc from '@grpc/grpc-js';

/**
 * HTTP/2 receive window of the gRPC port, per stream and per connection (bytes).
 *
 * Node's default is 65,535 bytes (RFC 9113 §6.9.2), and grpc-js's server has no option to change
 * it (the client has `grpc-node.flow_control_window`; grpc/grpc-node#3058 would add it to the
 * server). An OTLP export of 512 spans is about 180 KB, so with the default every request
 * waited for several WINDOW_UPDATE round trips, each only sent once the collector's event loop
 * was free again: during a 4-stream gRPC ingest run the collector's main thread sat idle about
 * half the time. With 4 MiB, a client can send the next exports while the current one is being
 * stored (bench/collector/ingest.mjs). The window only sets how many unread bytes a peer may have
 * in flight; grpc-js reads each stream as data arrives whenever the event loop is free, so what a
 * peer can make the collector hold per stream was and is bounded by the message limit
 * (`grpc.max_receive_message_length`, enforced while grpc-js collects a message).
 */
export const GRPC_RECEIVE_WINDOW_BYTES = 4 * 1024 * 1024;

/** The grpc-js `Server` members this needs (private in its typings; present in grpc-js 1.10–1.14). */
interface ServerInternals {
  commonServerOptions?: { settings?: Settings };
  createHttp2Server?: (credentials: grpc.ServerCredentials) => Http2Server;
}

/**
 * Makes `server` advertise a `bytes` stream window in its SETTINGS frame and open each
 * connection's window to `bytes`, the way grpc-js's client applies `grpc-node.flow_control_window`.
 * Call before `bindAsync`. Changes nothing when this grpc-js does not have the members it uses
 * (test/grpc-flow-control.test.ts pins that it applies).
 */
export function widenReceiveWindow(server: grpc.Server, bytes: number): void {
  const internals = server as unknown as ServerInternals;
  const common = internals.commonServerOptions;
  const create = internals.createHttp2Server;
  if (common === undefined || typeof create !== 'function') return;
  common.settings = { ...common.settings, initialWindowSize: bytes };
  internals.createHttp2Server = (credentials) => {
    const http2Server = create.call(server, credentials);
    http2Server.on('session', (session: ServerHttp2Session) => {
      try {
        session.setLocalWindowSize(bytes);
      } catch {
        // A session already closing keeps the default window; nothing else depends on it.
      }
    });
    return http2Server;
  };
}
