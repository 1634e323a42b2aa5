import { createHash, randomBytes } from 'node:crypto';

/** Name of the viewer's session cookie. */
export const SESSION_COOKIE = 'autobot_trace_session';

/** Default session lifetime: 12 hours. */
export const DEFAULT_SESSION_TTL_MS = 12 * 3600 * 1000;

const MAX_SESSIONS = 10_000;

const key = (id: string) => createHash('sha256').update(id).digest('base64url');

/**
 * Viewer sessions, in memory: a sign-in with the read token creates a random 256-bit id sent as
 * an HttpOnly, SameSite=Strict cookie. Only the ids' SHA-256 are kept. A restart signs everyone
 * out, which is the right default for a credential held only in memory.
 */
export class SessionStore {
  private readonly sessions = new Map<string, number>();

  constructor(
    readonly ttlMs: number = DEFAULT_SESSION_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a session and returns its id (the cookie value). */
  create(): string {
    const now = this.now();
    if (this.sessions.size >= MAX_SESSIONS) {
      for (const [k, expires] of this.sessions) if (expires <= now) this.sessions.delete(k);
      for (const k of this.sessions.keys()) {
        if (this.sessions.size < MAX_SESSIONS) break;
        this.sessions.delete(k); // oldest first
      }
    }
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(key(id), now + this.ttlMs);
    return id;
  }

  /** True when `id` names a live session. */
  valid(id: string | undefined): boolean {
    if (id === undefined || id.length > 128) return false;
    const k = key(id);
    const expires = this.sessions.get(k);
    if (expires === undefined) return false;
    if (expires <= this.now()) {
      this.sessions.delete(k);
      return false;
    }
    return true;
  }

  /** Ends a session (sign-out). */
  revoke(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(key(id));
  }
}

/** The value of cookie `name` in a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
