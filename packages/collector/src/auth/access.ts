import type { AccessToken } from './tokens.js';

/** Why a request was refused (no secret in it: safe for responses, logs and `/status`). */
export type AccessDenied = { ok: false; reason: string };
export type AccessResult = { ok: true } | AccessDenied;

/**
 * Who may write spans and who may read them. Write: a valid client certificate (mutual TLS, when
 * a client CA is configured) or the write token. Read: the read token (bearer header or a viewer
 * session). A side with no credential configured is open (loopback development default).
 */
export class AccessControl {
  constructor(
    private readonly writeToken: AccessToken | undefined,
    private readonly readToken: AccessToken | undefined,
    /** A client CA is configured: a verified client certificate grants write access. */
    private readonly clientCertWrite: boolean,
  ) {}

  /** Writing needs a credential. */
  get writeProtected(): boolean {
    return this.writeToken !== undefined || this.clientCertWrite;
  }

  /** Reading needs a credential. */
  get readProtected(): boolean {
    return this.readToken !== undefined;
  }

  /**
   * Checks an OTLP export. `bearer` is the presented token (if any), `clientCertVerified` whether
   * the TLS peer presented a certificate that chains to the client CA and is within its validity.
   */
  checkWrite(bearer: string | undefined, clientCertVerified: boolean): AccessResult {
    if (!this.writeProtected) return { ok: true };
    if (this.clientCertWrite && clientCertVerified) return { ok: true };
    if (this.writeToken?.matches(bearer)) return { ok: true };
    if (bearer !== undefined) return { ok: false, reason: 'the bearer token is not valid for writing spans' };
    return {
      ok: false,
      reason: `authentication required: send "authorization: Bearer <write token>"${
        this.clientCertWrite ? ' or a client certificate issued by the collector CA' : ''
      }`,
    };
  }

  /** Checks a query API request: the read token as a bearer header, or a valid viewer session. */
  checkRead(bearer: string | undefined, sessionValid: boolean): AccessResult {
    if (!this.readProtected || sessionValid) return { ok: true };
    if (this.readToken?.matches(bearer)) return { ok: true };
    if (bearer !== undefined)
      return { ok: false, reason: 'the bearer token is not valid for reading traces' };
    return {
      ok: false,
      reason: 'authentication required: send "authorization: Bearer <read token>" or sign in at /login',
    };
  }

  /** True when `token` is the read token (the sign-in page trades it for a session). */
  isReadToken(token: string | undefined): boolean {
    return this.readToken?.matches(token) ?? false;
  }
}
