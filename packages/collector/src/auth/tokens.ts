import { createHash, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { InvalidOptionError } from '../errors.js';

/** Shortest accepted token: 16 characters (a 128-bit random token is 22 base64url characters). */
export const MIN_TOKEN_CHARS = 16;

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * A shared secret (write or read token). Only its SHA-256 digest is kept; {@link matches} compares
 * digests with `crypto.timingSafeEqual`, so the comparison takes the same time whatever the
 * presented value and its length. The object never prints its value (`toJSON`, `util.inspect`).
 */
export class AccessToken {
  readonly #digest: Buffer;

  /** @throws InvalidOptionError when the token is shorter than 16 characters or holds whitespace. */
  constructor(
    token: string,
    readonly label: string,
  ) {
    if (typeof token !== 'string' || token.length < MIN_TOKEN_CHARS || /\s/.test(token)) {
      // The message names the token, never its value.
      throw new InvalidOptionError(
        `${label} must be at least ${MIN_TOKEN_CHARS} characters without whitespace (e.g. openssl rand -base64 32)`,
      );
    }
    this.#digest = digest(token);
  }

  /** True when `presented` is this token. Constant time in the presented value. */
  matches(presented: string | undefined): boolean {
    if (presented === undefined) return false;
    return timingSafeEqual(digest(presented), this.#digest);
  }

  toJSON(): string {
    return `[${this.label}]`;
  }

  [inspect.custom](): string {
    return `AccessToken(${this.label})`;
  }
}

/**
 * The token of an `authorization: Bearer <token>` header (scheme case-insensitive), or undefined
 * when the header is absent or uses another scheme.
 */
export function bearerToken(header: string | readonly string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return undefined;
  const match = /^bearer[ \t]+([^\s]+)[ \t]*$/i.exec(value);
  return match?.[1];
}
