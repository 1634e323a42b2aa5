import ssh2, { type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import {
  SshAuthError,
  SshConnectionError,
  SshDistributionError,
  type SshErrorType,
  SshHostKeyError,
  SshLocalError,
  SshSftpError,
  SshTimeoutError,
} from './errors.js';
import type { KnownHosts } from './known-hosts.js';

// ssh2 is CommonJS: Node's ESM loader exposes only its default export reliably.
const { Client, utils } = ssh2;
type Client = InstanceType<typeof Client>;

/** How to reach and authenticate to one host. */
export interface SshConnectOptions {
  host: string;
  port: number;
  username: string;
  /** Private key text (OpenSSH or PEM). Never logged or recorded. */
  privateKey?: Buffer | string;
  /** Passphrase of `privateKey`. Never logged or recorded. */
  passphrase?: string;
  /** Path of an SSH agent socket, when agent authentication is wanted. */
  agent?: string;
  knownHosts: KnownHosts;
  /** Record unknown host keys instead of refusing them. */
  trustOnFirstUse: boolean;
  connectTimeoutMs: number;
  operationTimeoutMs: number;
}

const SFTP_STATUS = { NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4 } as const;

/** RSA host keys are stored as `ssh-rsa` but negotiated under the SHA-2 signature names. */
function hostKeyAlgorithmsFor(keyTypes: string[]): string[] {
  return keyTypes.flatMap((t) => {
    if (t === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
    // Only names ssh2 knows: an odd key type in known_hosts must not abort the connection.
    return HOST_KEY_TYPES.includes(t) ? [t] : [];
  });
}

const HOST_KEY_TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'];

/**
 * Validates a private key locally before any connection, so a bad key or passphrase is reported as
 * `local_key_error` rather than as an authentication failure. The message never contains key text.
 */
export function checkPrivateKey(privateKey: Buffer | string, passphrase: string | undefined): void {
  const parsed = utils.parseKey(privateKey, passphrase);
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase/i.test(parsed.message);
    throw new SshLocalError(
      'local_key_error',
      encrypted
        ? 'the SSH private key is encrypted and the passphrase is missing or wrong'
        : 'the SSH private key could not be parsed',
    );
  }
}

/**
 * One SSH connection with an SFTP channel, every operation bounded by a timeout. On any timeout the
 * connection is destroyed so nothing keeps running in the background.
 */
export class SshSession {
  private closed = false;

  private constructor(
    private readonly client: Client,
    private readonly sftpChannel: SFTPWrapper,
    private readonly operationTimeoutMs: number,
  ) {
    client.on('close', () => {
      this.closed = true;
    });
    // A connection error after `ready` (reset, keepalive timeout) fails the pending operation via
    // its own callback; the listener only keeps it from becoming an uncaught 'error' event.
    client.on('error', () => {
      this.closed = true;
    });
  }

  /**
   * Connects, verifies the host key against known_hosts, authenticates and opens SFTP.
   * @throws SshHostKeyError (`host_key_unknown`, `host_key_mismatch`), SshAuthError (`auth_failed`),
   *   SshConnectionError (`connection_refused`, `host_unreachable`, `dns_failed`, `connection_lost`),
   *   SshTimeoutError (`timeout`).
   */
  static async open(options: SshConnectOptions): Promise<SshSession> {
    const client = new Client();
    const hostCheck: HostCheck = {};
    const ready = waitForReady(client, options, hostCheck);
    // Observed by `await ready` below; this only prevents an unhandled rejection on the sync-throw path.
    ready.catch(() => {});
    try {
      client.connect(connectConfig(options, hostCheck));
    } catch (error) {
      // ssh2 throws synchronously for unusable keys; checkPrivateKey normally catches those first.
      ready.cancel();
      client.destroy();
      throw new SshLocalError('local_key_error', `cannot start SSH connection: ${safeMessage(error)}`);
    }
    await ready;
    if (hostCheck.tofuWrite) {
      try {
        await hostCheck.tofuWrite;
      } catch (error) {
        client.destroy();
        throw new SshLocalError(
          'local_key_error',
          `cannot record the host key in known_hosts: ${safeMessage(error)}`,
        );
      }
    }
    return new SshSession(client, await openSftp(client, options), options.operationTimeoutMs);
  }

  /** True once the underlying connection has closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The SFTP channel, for the operations below. */
  get sftp(): SFTPWrapper {
    return this.sftpChannel;
  }

  /**
   * Runs one SFTP operation with the operation timeout, translating failures (`what` names the
   * operation and path in the message).
   */
  async op<T>(
    what: string,
    start: (cb: (err: Error | null | undefined, value?: T) => void) => void,
  ): Promise<T> {
    try {
      return await withTimeout(
        new Promise<T>((resolve, reject) => {
          start((err, value) => (err ? reject(err) : resolve(value as T)));
        }),
        this.operationTimeoutMs,
        what,
      );
    } catch (error) {
      if (error instanceof SshTimeoutError) this.destroy();
      throw this.classifySftpError(error, what);
    }
  }

  /**
   * Runs a shell command on the host with the operation timeout.
   * @returns exit code and the first 500 characters of stderr.
   */
  async exec(command: string): Promise<{ code: number | null; stderr: string }> {
    return withTimeout(
      new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        this.client.exec(command, (err, channel: ClientChannel) => {
          if (err) {
            reject(err);
            return;
          }
          let stderr = '';
          channel.stderr.on('data', (chunk: Buffer) => {
            if (stderr.length < 500) stderr += chunk.toString('utf8');
          });
          channel.on('data', () => {});
          channel.on('close', (code: number | null) => resolve({ code, stderr: stderr.slice(0, 500) }));
        });
      }),
      this.operationTimeoutMs,
      `run ${command}`,
    ).catch((error) => {
      if (error instanceof SshTimeoutError) this.destroy();
      throw error;
    });
  }

  /** Ends the session politely. */
  end(): void {
    try {
      this.sftpChannel.end();
    } catch {
      // already gone
    }
    this.client.end();
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.client.destroy();
  }

  private classifySftpError(error: unknown, what: string): SshDistributionError {
    if (error instanceof SshDistributionError) return error;
    const code = (error as { code?: unknown }).code;
    const message = safeMessage(error);
    if (code === SFTP_STATUS.PERMISSION_DENIED) {
      return new SshSftpError('permission_denied', `${what}: permission denied`, { cause: error });
    }
    if (code === SFTP_STATUS.NO_SUCH_FILE) {
      return new SshSftpError('remote_path_missing', `${what}: no such file or directory`, { cause: error });
    }
    if (this.closed) {
      return new SshConnectionError('connection_lost', `${what}: connection lost (${message})`, {
        cause: error,
      });
    }
    return new SshSftpError('sftp_error', `${what}: ${message}`, { cause: error });
  }
}

/** What the host verifier found: the reason it refused (ssh2 reports only "Host denied"), a TOFU write. */
interface HostCheck {
  problem?: 'host_key_unknown' | 'host_key_mismatch';
  tofuWrite?: Promise<void>;
}

/** ssh2 settings: host key verified against known_hosts (recording it on trust-on-first-use). */
function connectConfig(options: SshConnectOptions, hostCheck: HostCheck): ConnectConfig {
  const knownTypes = options.knownHosts.keyTypesFor(options.host, options.port);
  return {
    host: options.host,
    port: options.port,
    username: options.username,
    readyTimeout: options.connectTimeoutMs,
    keepaliveInterval: Math.max(1000, Math.floor(options.operationTimeoutMs / 3)),
    keepaliveCountMax: 3,
    hostVerifier: (key: Buffer) => {
      const verdict = options.knownHosts.verify(options.host, options.port, key);
      if (verdict === 'known') return true;
      if (verdict === 'unknown' && options.trustOnFirstUse) {
        hostCheck.tofuWrite = options.knownHosts.add(options.host, options.port, key);
        return true;
      }
      hostCheck.problem = verdict === 'unknown' ? 'host_key_unknown' : 'host_key_mismatch';
      return false;
    },
    ...(knownTypes.length > 0
      ? { algorithms: { serverHostKey: { prepend: hostKeyAlgorithmsFor(knownTypes) } } }
      : {}),
    ...(options.privateKey === undefined ? {} : { privateKey: options.privateKey }),
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    ...(options.agent === undefined ? {} : { agent: options.agent }),
  } as ConnectConfig;
}

/**
 * Resolves on `ready`; rejects with the classified error, on an early close, or after the connect
 * timeout (+500 ms). `cancel()` settles it silently (the connect call itself threw).
 */
function waitForReady(
  client: Client,
  options: SshConnectOptions,
  hostCheck: HostCheck,
): Promise<void> & { cancel: () => void } {
  let settled = false;
  let guard: NodeJS.Timeout | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    // ssh2's readyTimeout starts only once TCP is up; this guard also bounds a TCP connect that
    // hangs (a black-holed address) and anything else before `ready`.
    const settle = (error?: SshDistributionError) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      if (error) {
        client.destroy();
        reject(error);
      } else {
        resolve();
      }
    };
    guard = setTimeout(
      () => settle(new SshTimeoutError('timeout', `no SSH session within ${options.connectTimeoutMs} ms`)),
      options.connectTimeoutMs + 500,
    );
    client.once('ready', () => settle());
    // `on`, not `once`: ssh2 may emit several errors (e.g. after destroy) and an 'error' event
    // without a listener would crash the process.
    client.on('error', (error: Error & { level?: string; code?: string }) =>
      settle(classifyConnectError(error, hostCheck.problem, options)),
    );
    client.once('close', () =>
      settle(new SshConnectionError('connection_lost', 'connection closed before the SSH session was ready')),
    );
  });
  return Object.assign(ready, {
    cancel: () => {
      settled = true;
      clearTimeout(guard);
    },
  });
}

/** Opens the SFTP subsystem within the operation timeout; destroys the connection on failure. */
async function openSftp(client: Client, options: SshConnectOptions): Promise<SFTPWrapper> {
  try {
    return await withTimeout(
      new Promise<SFTPWrapper>((resolve, reject) =>
        client.sftp((err, s) => (err ? reject(err) : resolve(s))),
      ),
      options.operationTimeoutMs,
      'open SFTP channel',
    );
  } catch (error) {
    client.destroy();
    throw error instanceof SshDistributionError
      ? error
      : new SshSftpError('sftp_error', `cannot open the SFTP subsystem: ${safeMessage(error)}`, {
          cause: error,
        });
  }
}

/** Races `promise` against a timer; the timer never keeps the process alive. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SshTimeoutError('timeout', `${what}: timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function classifyConnectError(
  error: Error & { level?: string; code?: string },
  hostKeyProblem: 'host_key_unknown' | 'host_key_mismatch' | undefined,
  options: SshConnectOptions,
): SshDistributionError {
  const where = `${options.username}@${options.host}:${options.port}`;
  if (hostKeyProblem === 'host_key_unknown') {
    return new SshHostKeyError(
      'host_key_unknown',
      `host key of ${where} is not in ${options.knownHosts.path ?? 'known_hosts'} (add it, or enable trust-on-first-use)`,
      { cause: error },
    );
  }
  if (hostKeyProblem === 'host_key_mismatch') {
    return new SshHostKeyError(
      'host_key_mismatch',
      `host key of ${where} does not match ${options.knownHosts.path ?? 'known_hosts'}: possible man-in-the-middle, refusing`,
      { cause: error },
    );
  }
  if (error.level === 'client-authentication') {
    return new SshAuthError('auth_failed', `authentication as ${options.username} on ${where} failed`, {
      cause: error,
    });
  }
  if (error.level === 'client-timeout') {
    return new SshTimeoutError(
      'timeout',
      `SSH handshake with ${where} timed out after ${options.connectTimeoutMs} ms`,
      {
        cause: error,
      },
    );
  }
  const byCode: Record<string, SshErrorType> = {
    ECONNREFUSED: 'connection_refused',
    EHOSTUNREACH: 'host_unreachable',
    ENETUNREACH: 'host_unreachable',
    EHOSTDOWN: 'host_unreachable',
    ETIMEDOUT: 'timeout',
    ENOTFOUND: 'dns_failed',
    EAI_AGAIN: 'dns_failed',
    ECONNRESET: 'connection_lost',
    EPIPE: 'connection_lost',
  };
  const type =
    (error.code && byCode[error.code]) || (error.level === 'client-dns' ? 'dns_failed' : undefined);
  if (type === 'timeout')
    return new SshTimeoutError(type, `connecting to ${where} timed out`, { cause: error });
  if (type)
    return new SshConnectionError(type, `cannot connect to ${where}: ${error.code ?? type}`, {
      cause: error,
    });
  return new SshDistributionError('ssh_error', `SSH error with ${where}: ${safeMessage(error)}`, {
    cause: error,
  });
}

/** An error's message, cut short; used instead of dumping objects that might carry config. */
export function safeMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
