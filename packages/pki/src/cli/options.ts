import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CERTIFICATE_PROFILES, type CertificateProfile } from '../issue.js';
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../keys.js';
import { localPath } from '../topology.js';

/** A command-line mistake: printed with the usage hint, exit code 64. */
export class UsageError extends Error {}

/** Parses `argv` (strict: an unknown flag throws). */
export function parseCli(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      'pki-dir': { type: 'string' },
      topology: { type: 'string' },
      cn: { type: 'string' },
      days: { type: 'string' },
      'key-algorithm': { type: 'string' },
      force: { type: 'boolean' },
      all: { type: 'boolean' },
      vm: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      identity: { type: 'string' },
      agent: { type: 'boolean' },
      'known-hosts': { type: 'string' },
      'trust-on-first-use': { type: 'boolean' },
      concurrency: { type: 'string' },
      'connect-timeout': { type: 'string' },
      'op-timeout': { type: 'string' },
      profile: { type: 'string' },
      dns: { type: 'string', multiple: true },
      ip: { type: 'string', multiple: true },
    },
  });
}

/** The parsed flags. */
export type CliValues = ReturnType<typeof parseCli>['values'];

/** A whole, non-negative number flag. @throws UsageError */
export function intOption(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new UsageError(`${name} must be a whole number, got ${value}`);
  return n;
}

/** `{ [key]: intOption(flag, value) }`, or nothing when the flag is absent. */
export function optionalInt<K extends string>(
  key: K,
  flag: string,
  value: string | undefined,
): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: intOption(flag, value) }) as { [P in K]?: number };
}

/** `--profile`, default `server`. @throws UsageError */
export function certificateProfile(value: string | undefined): CertificateProfile {
  if (value === undefined) return 'server';
  if (!(CERTIFICATE_PROFILES as readonly string[]).includes(value)) {
    throw new UsageError(`--profile must be one of ${CERTIFICATE_PROFILES.join(', ')}`);
  }
  return value as CertificateProfile;
}

/** `--key-algorithm` as `{ keyAlgorithm }`, or nothing when absent. @throws UsageError */
export function keyAlgorithmOption(value: string | undefined): { keyAlgorithm?: KeyAlgorithm } {
  if (value === undefined) return {};
  if (!(KEY_ALGORITHMS as readonly string[]).includes(value)) {
    throw new UsageError(`--key-algorithm must be one of ${KEY_ALGORITHMS.join(', ')}`);
  }
  return { keyAlgorithm: value as KeyAlgorithm };
}

/** Reads the `--identity` key file. @throws UsageError naming the path and the errno code. */
export async function readKey(path: string): Promise<Buffer> {
  try {
    return await readFile(localPath('.', path));
  } catch (error) {
    throw new UsageError(
      `cannot read --identity ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}
