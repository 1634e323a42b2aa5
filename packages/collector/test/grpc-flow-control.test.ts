import { connect } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../src/index.js';
import { GRPC_RECEIVE_WINDOW_BYTES } from '../src/receivers/grpc-flow-control.js';
import { startTestCollector } from './helpers.js';

let collector: RunningCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(async () => {
  await collector?.close();
});

// RFC 9113 §6.5.2 (SETTINGS_INITIAL_WINDOW_SIZE: the stream window a sender may use) and §6.9
// (WINDOW_UPDATE on stream 0 opens the connection window). grpc-js's server offers no option for
// either; widenReceiveWindow reaches into it, so a grpc-js upgrade that moves its internals fails
// here rather than silently bringing back the 65,535-byte windows.
describe('gRPC receive window', () => {
  it('advertises the wide stream window and opens the connection window', async () => {
    const session = connect(`http://127.0.0.1:${collector.grpcPort}`);
    try {
      const settings = await new Promise<{ initialWindowSize?: number }>((resolve, reject) => {
        session.once('remoteSettings', resolve);
        session.once('error', reject);
      });
      expect(settings.initialWindowSize).toBe(GRPC_RECEIVE_WINDOW_BYTES);
      // The connection window arrives as a WINDOW_UPDATE right after the SETTINGS frame.
      const deadline = Date.now() + 2000;
      while ((session.state.remoteWindowSize ?? 0) < GRPC_RECEIVE_WINDOW_BYTES && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(session.state.remoteWindowSize).toBe(GRPC_RECEIVE_WINDOW_BYTES);
    } finally {
      session.close();
    }
  });
});
