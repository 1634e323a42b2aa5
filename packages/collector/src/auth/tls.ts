import type { TLSSocket } from 'node:tls';

/** Certificate and key of the collector's listeners, and the CA its clients' certificates chain to. */
export interface TlsMaterial {
  /** Server certificate chain (PEM). */
  cert: Buffer | string;
  /** Server private key (PEM). */
  key: Buffer | string;
  /** CA bundle (PEM) for client certificates: enables mutual TLS as a write credential. */
  clientCa?: Buffer | string;
}

/**
 * Options for `https.createServer` / `tls.createServer` on an OTLP port. A client certificate is
 * requested when a client CA is set but not required (`rejectUnauthorized: false`): a client may
 * present the write token instead, and a missing, foreign or expired certificate is answered 401
 * rather than with a handshake failure the client cannot explain.
 */
export function receiverTlsOptions(tls: TlsMaterial) {
  return {
    cert: tls.cert,
    key: tls.key,
    minVersion: 'TLSv1.2' as const,
    ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false }),
  };
}

/** True when the request came over TLS with a client certificate verified against the client CA. */
export function clientCertVerified(socket: unknown): boolean {
  return (socket as Partial<TLSSocket>)?.authorized === true;
}
