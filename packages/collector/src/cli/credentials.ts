import { readFileSync, statSync } from 'node:fs';
import type { TlsMaterial } from '../auth/tls.js';

/** Environment variables naming the collector's token files (the flags win). */
export const WRITE_TOKEN_FILE_ENV = 'AUTOBOT_COLLECTOR_WRITE_TOKEN_FILE';
export const READ_TOKEN_FILE_ENV = 'AUTOBOT_COLLECTOR_READ_TOKEN_FILE';
/** Environment variable naming the read token file of `query`, `show` and `services`. */
export const CLIENT_READ_TOKEN_FILE_ENV = 'AUTOBOT_TRACE_READ_TOKEN_FILE';

/** A credential file could not be used; the message names the file, never its content. */
export class CredentialFileError extends Error {}

/**
 * Reads a token file: the whole file minus one trailing newline. A file others can read adds a
 * warning (tokens should be 0600). Errors name the source and path only.
 */
export function readTokenFile(path: string, source: string, warnings: string[]): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
    const mode = statSync(path).mode;
    if ((mode & 0o077) !== 0) {
      warnings.push(
        `${source} ${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
  } catch (error) {
    throw new CredentialFileError(
      `${source} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const token = text.replace(/\r?\n$/, '');
  if (token === '') throw new CredentialFileError(`${source} ${path} is empty`);
  return token;
}

/**
 * The token file to use: the flag, else the path taken from the variable (resolved by
 * `cli-env.ts`), else none. `source` names where it came from, for messages.
 */
export function tokenFileFrom(
  flagName: string,
  flag: string | undefined,
  variable: string,
  fromEnv: string | undefined,
): { path: string; source: string } | undefined {
  if (flag !== undefined) return { path: flag, source: `--${flagName}` };
  return fromEnv ? { path: fromEnv, source: variable } : undefined;
}

function readPem(path: string, source: string, label: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    throw new CredentialFileError(
      `${source} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (
    !pem.includes(`-----BEGIN ${label}`) &&
    !(label === 'PRIVATE KEY' && pem.includes(' PRIVATE KEY-----'))
  ) {
    throw new CredentialFileError(`${source} ${path} is not a PEM ${label.toLowerCase()}`);
  }
  return pem;
}

/** Loads `--tls-cert`, `--tls-key` and `--tls-client-ca`; cert and key go together. */
export function loadTls(
  cert: string | undefined,
  key: string | undefined,
  clientCa: string | undefined,
): TlsMaterial | undefined {
  if (cert === undefined && key === undefined) {
    if (clientCa !== undefined)
      throw new CredentialFileError('--tls-client-ca needs --tls-cert and --tls-key');
    return undefined;
  }
  if (cert === undefined || key === undefined) {
    throw new CredentialFileError('--tls-cert and --tls-key go together');
  }
  return {
    cert: readPem(cert, '--tls-cert', 'CERTIFICATE'),
    key: readPem(key, '--tls-key', 'PRIVATE KEY'),
    ...(clientCa === undefined ? {} : { clientCa: readPem(clientCa, '--tls-client-ca', 'CERTIFICATE') }),
  };
}
