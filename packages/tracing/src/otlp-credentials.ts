import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import type { Env } from './env.js';

/**
 * Credentials of the OTLP exporter, read the standard way (OTLP exporter specification):
 * `OTEL_EXPORTER_OTLP_HEADERS` / `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (the signal-specific one wins
 * per key), `OTEL_EXPORTER_OTLP_CERTIFICATE`, `…_CLIENT_CERTIFICATE`, `…_CLIENT_KEY` (each also as
 * `OTEL_EXPORTER_OTLP_TRACES_…`, which wins).
 *
 * Header values and keys are secrets: they never appear in a warning, in `JSON.stringify` or in
 * `util.inspect` of this object — only header names and file paths do.
 */
export class OtlpCredentials {
  readonly #headers: Readonly<Record<string, string>>;
  readonly #rootCertificate: Buffer | undefined;
  readonly #clientKey: Buffer | undefined;
  readonly #clientCertificate: Buffer | undefined;
  /** Files the certificates came from (paths are not secret; for `doctor`). */
  readonly files: Readonly<{ certificate?: string; clientCertificate?: string; clientKey?: string }>;

  constructor(parts: {
    headers?: Record<string, string>;
    rootCertificate?: Buffer;
    clientKey?: Buffer;
    clientCertificate?: Buffer;
    files?: { certificate?: string; clientCertificate?: string; clientKey?: string };
  }) {
    this.#headers = Object.freeze({ ...parts.headers });
    this.#rootCertificate = parts.rootCertificate;
    this.#clientKey = parts.clientKey;
    this.#clientCertificate = parts.clientCertificate;
    this.files = Object.freeze({ ...parts.files });
  }

  /** Headers sent with every export (`authorization`, …). */
  get headers(): Readonly<Record<string, string>> {
    return this.#headers;
  }
  /** CA bundle (PEM) the endpoint's certificate must chain to; undefined = the system store. */
  get rootCertificate(): Buffer | undefined {
    return this.#rootCertificate;
  }
  /** Client private key (PEM) for mutual TLS; set only together with {@link clientCertificate}. */
  get clientKey(): Buffer | undefined {
    return this.#clientKey;
  }
  /** Client certificate chain (PEM) for mutual TLS. */
  get clientCertificate(): Buffer | undefined {
    return this.#clientCertificate;
  }
  /** Names of the headers sent (lower case), for display. */
  get headerNames(): string[] {
    return Object.keys(this.#headers);
  }

  /** A summary without secrets. */
  toJSON() {
    return { headers: this.headerNames, files: this.files };
  }

  [inspect.custom](): string {
    return `OtlpCredentials ${JSON.stringify(this.toJSON())}`;
  }
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Parses a headers variable: `key=value` pairs separated by commas, values percent-encoded.
 * Invalid entries are skipped with one warning each, naming the variable and the entry's position
 * (never its content: it may be half a token).
 */
function parseHeaders(variable: string, raw: string, warnings: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const entries = raw.split(',');
  entries.forEach((entry, index) => {
    if (entry.trim() === '') return;
    const eq = entry.indexOf('=');
    const name = eq > 0 ? entry.slice(0, eq).trim().toLowerCase() : '';
    let value: string | undefined;
    try {
      value = eq > 0 ? decodeURIComponent(entry.slice(eq + 1).trim()) : undefined;
    } catch {
      value = undefined;
    }
    if (!HEADER_NAME.test(name) || value === undefined || value === '' || /[\r\n\0]/.test(value)) {
      warnings.push(
        `${variable}=<not shown: may hold a secret> entry ${index + 1} of ${entries.length} is invalid ` +
          '(expected name=value pairs separated by commas, values percent-encoded, e.g. ' +
          'authorization=Bearer%20<token>); that entry is not sent',
      );
      return;
    }
    headers[name] = value;
  });
  return headers;
}

function readPemFile(
  env: Env,
  variables: readonly string[],
  marker: string,
  fallback: string,
  warnings: string[],
): { path: string; pem: Buffer } | undefined {
  for (const variable of variables) {
    const path = env[variable]?.trim();
    if (!path) continue;
    let pem: Buffer;
    try {
      pem = readFileSync(path);
    } catch (error) {
      warnings.push(
        `${variable}=${JSON.stringify(path)} is invalid (expected a readable PEM file; ${
          (error as NodeJS.ErrnoException).code ?? 'unreadable'
        }); using ${fallback}`,
      );
      return undefined;
    }
    if (!pem.includes(marker)) {
      warnings.push(
        `${variable}=${JSON.stringify(path)} is invalid (expected a PEM file with "${marker}"); using ${fallback}`,
      );
      return undefined;
    }
    return { path, pem };
  }
  return undefined;
}

/**
 * Reads the OTLP exporter credentials from `env`. Never throws: an invalid value adds one line
 * to `warnings` naming the variable and the fallback (for header variables the value is never
 * shown; for files only the path is). A client key without a certificate (or the reverse) is
 * dropped with a warning: mutual TLS needs both.
 */
export function resolveOtlpCredentials(env: Env, warnings: string[]): OtlpCredentials {
  const headers: Record<string, string> = {};
  for (const variable of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS']) {
    const raw = env[variable];
    if (raw !== undefined && raw.trim() !== '') Object.assign(headers, parseHeaders(variable, raw, warnings));
  }
  const ca = readPemFile(
    env,
    ['OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE', 'OTEL_EXPORTER_OTLP_CERTIFICATE'],
    '-----BEGIN CERTIFICATE-----',
    'the system CA store',
    warnings,
  );
  const certVars = ['OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE', 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE'];
  const keyVars = ['OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY', 'OTEL_EXPORTER_OTLP_CLIENT_KEY'];
  let cert = readPemFile(env, certVars, '-----BEGIN CERTIFICATE-----', 'no client certificate', warnings);
  let key = readPemFile(env, keyVars, 'PRIVATE KEY-----', 'no client certificate', warnings);
  if ((cert === undefined) !== (key === undefined)) {
    const [have, missing] =
      cert === undefined ? ['client key', 'certificate'] : ['client certificate', 'key'];
    warnings.push(
      `OTEL_EXPORTER_OTLP_CLIENT_${missing === 'key' ? 'KEY' : 'CERTIFICATE'} is missing or invalid while a ${have} is set ` +
        `(mutual TLS needs both); using no client certificate`,
    );
    cert = undefined;
    key = undefined;
  }
  return new OtlpCredentials({
    headers,
    rootCertificate: ca?.pem,
    clientCertificate: cert?.pem,
    clientKey: key?.pem,
    files: {
      ...(ca ? { certificate: ca.path } : {}),
      ...(cert ? { clientCertificate: cert.path } : {}),
      ...(key ? { clientKey: key.path } : {}),
    },
  });
}
