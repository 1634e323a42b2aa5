import { readFile } from 'node:fs/promises';
import type { SshDistributionError } from './errors.js';
import { SshLocalError } from './errors.js';
import { checkPrivateKey } from './ssh-session.js';

/**
 * How the distributor authenticates to every VM, or why it cannot. An `error` fails each target
 * (with its span) instead of the whole run, so the run still reports every VM.
 */
export interface SshAuth {
  readonly privateKey?: Buffer | string;
  readonly passphrase?: string;
  readonly agent?: string;
  readonly error?: SshDistributionError;
}

/** Where the private key comes from: given text, else a file path; plus passphrase and agent. */
export interface SshAuthSource {
  readonly privateKey?: Buffer | string;
  readonly privateKeyPath?: string;
  readonly passphrase?: string;
  readonly agent?: string;
}

/**
 * Reads the private key (when given as a path) and checks it parses with the passphrase. Never
 * rejects: an unreadable or unparsable key is returned as a `local_key_error` in `error`.
 */
export async function loadSshAuth(source: SshAuthSource): Promise<SshAuth> {
  let privateKey = source.privateKey;
  if (privateKey === undefined && source.privateKeyPath !== undefined) {
    try {
      privateKey = await readFile(source.privateKeyPath);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? 'error';
      // No path in the message: it ends up in span status and events, and key paths are secrets.
      return {
        error: new SshLocalError(
          'local_key_error',
          `cannot read the SSH private key file (ssh.privateKeyPath / --identity): ${code}`,
        ),
      };
    }
  }
  if (privateKey !== undefined) {
    try {
      checkPrivateKey(privateKey, source.passphrase);
    } catch (error) {
      return { error: error as SshDistributionError };
    }
  }
  return {
    ...(privateKey === undefined ? {} : { privateKey }),
    ...(source.passphrase === undefined ? {} : { passphrase: source.passphrase }),
    ...(source.agent === undefined ? {} : { agent: source.agent }),
  };
}
