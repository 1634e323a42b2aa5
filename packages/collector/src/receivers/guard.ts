import type { AccessControl } from '../auth/access.js';
import type { ClientLimiter } from '../auth/rate-limit.js';
import type { IngestSink } from '../ingest.js';

/** Admission of one OTLP request: limits first (cheap), then credentials. */
export type Admission =
  | { ok: true; release(): void }
  | { ok: false; kind: 'unauthenticated'; reason: string }
  | { ok: false; kind: 'throttled'; reason: string; retryAfterMs: number };

/** Shared by both receivers so HTTP and gRPC refuse the same requests for the same reasons. */
export interface ReceiverGuard {
  access: AccessControl;
  limiter: ClientLimiter;
}

/**
 * Admits an OTLP request from `client` (its address) presenting `bearer` and, over mutual TLS,
 * a verified client certificate. Refusals are counted on `sink` and store nothing.
 */
export function admit(
  guard: ReceiverGuard,
  sink: IngestSink,
  client: string,
  bearer: string | undefined,
  clientCertVerified: boolean,
): Admission {
  const slot = guard.limiter.acquire(client);
  if (!slot.ok) {
    sink.refuseRateLimited();
    return { ok: false, kind: 'throttled', reason: slot.reason, retryAfterMs: slot.retryAfterMs };
  }
  const access = guard.access.checkWrite(bearer, clientCertVerified);
  if (!access.ok) {
    slot.release();
    sink.refuseUnauthenticated(`OTLP request from ${client} refused: ${access.reason}`);
    return { ok: false, kind: 'unauthenticated', reason: access.reason };
  }
  return slot;
}
