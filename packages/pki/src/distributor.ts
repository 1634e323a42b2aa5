import { readFile } from 'node:fs/promises';
import { recordError } from '@autobot/tracing';
import { type Span, SpanStatusCode } from '@opentelemetry/api';
import {
  CertMissingError,
  PkiOptionError,
  SshDistributionError,
  type SshErrorType,
  SshLocalError,
  SshReloadError,
} from './errors.js';
import { CERT_FILE_MODE, KEY_FILE_MODE } from './files.js';
import { KnownHosts } from './known-hosts.js';
import { certPaths, pkiLayout } from './layout.js';
import {
  commitFile,
  ensureRemoteDir,
  type RemoteFile,
  removeQuietly,
  removeStaleTempFiles,
  type StagedFile,
  stageFile,
  verifyFile,
} from './remote-files.js';
import {
  ATTR_PKI_CONCURRENCY,
  ATTR_PKI_DRY_RUN,
  ATTR_PKI_FAILED_VMS,
  ATTR_PKI_OPERATION,
  ATTR_PKI_SUCCEEDED_VMS,
  ATTR_PKI_TARGETS_FAILED,
  ATTR_PKI_TARGETS_TOTAL,
  ATTR_SSH_ERROR_TYPE,
  ATTR_SSH_FILES_COPIED,
  ATTR_SSH_TARGET_IP,
  ATTR_SSH_TARGET_VM,
  ATTR_SSH_USER,
  EVENT_PKI_TARGET_RESULT,
  PKI_OPERATION_DISTRIBUTE,
  PKI_OPERATION_DISTRIBUTE_RUN,
  SPAN_PKI_DISTRIBUTE_RUN,
  SPAN_SSH_DISTRIBUTE_CERTIFICATES,
} from './semconv.js';
import { checkPrivateKey, SshSession, safeMessage } from './ssh-session.js';
import type { Topology, VmName, VmTarget } from './topology.js';
import { localPath } from './topology.js';
import { pkiTracer, safely } from './tracer.js';

/** Options of {@link distributeCertificates}. Unset SSH fields fall back to `topology.ssh`. */
export interface DistributeOptions {
  topology: Topology;
  /** PKI directory holding `ca/ca.crt` and `certs/<vm>/server.{crt,key}`. */
  pkiDir: string;
  /** Only these VMs (default: every VM of the topology). */
  vms?: readonly string[];
  /** Plan only: check local files, connect to nothing. */
  dryRun?: boolean;
  /** Private key text; overrides `topology.ssh.privateKeyPath`. Never recorded anywhere. */
  privateKey?: Buffer | string;
  /** Passphrase of the private key. Never recorded anywhere. */
  passphrase?: string;
  /** SSH agent socket (e.g. `process.env.SSH_AUTH_SOCK`); used when set. */
  agent?: string;
  knownHostsPath?: string;
  trustOnFirstUse?: boolean;
  concurrency?: number;
  connectTimeoutMs?: number;
  operationTimeoutMs?: number;
}

/** Outcome for one VM. */
export interface TargetResult {
  readonly vm: VmName;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly ok: boolean;
  /** `planned` on a dry run. */
  readonly status: 'ok' | 'failed' | 'planned';
  /** Files renamed into their final place. */
  readonly filesCopied: number;
  readonly errorType?: SshErrorType;
  /** Failure message (no secrets: never key text, passphrases or file contents). */
  readonly message?: string;
  /** SHA-256 of each file as read back from the VM, by remote path. */
  readonly checksums: Readonly<Record<string, string>>;
  readonly reloaded: boolean;
  readonly durationMs: number;
}

/** Outcome of a whole run. */
export interface DistributionRun {
  /** Trace id of the run's parent span (all-zero when tracing is off). */
  readonly traceId: string;
  readonly dryRun: boolean;
  readonly results: readonly TargetResult[];
  readonly failed: number;
}

/** Remote file names and modes every VM receives. */
export const REMOTE_FILES = [
  { name: 'ca.crt', mode: CERT_FILE_MODE },
  { name: 'server.crt', mode: CERT_FILE_MODE },
  { name: 'server.key', mode: KEY_FILE_MODE },
] as const;

/**
 * Distributes the CA certificate and each VM's certificate and key over SSH/SFTP.
 *
 * Per VM (at most `concurrency` at a time): connect with the private key (and/or agent), verify the
 * host key against known_hosts (trust-on-first-use only when enabled), upload every file to a
 * temporary name with its final mode, rename them into place (`posix-rename@openssh.com`), read each
 * back and compare SHA-256 and mode, then run the VM's `reloadCommand` if any. A failing VM never stops
 * the others; a half-written file never appears under a final name.
 *
 * Tracing: a parent `pki.distribute_certificates` span for the run (per-VM `pki.target_result` events,
 * counts, failed VM names) and one `ssh.distribute_certificates` child per VM with `ssh.target_vm`,
 * `ssh.target_ip`, `ssh.user`, `ssh.files_copied`, `pki.operation=distribute` and, on failure,
 * `ssh.error_type` plus the shared error recording. No key material reaches a span.
 *
 * Never rejects for a target failure (see `results`); rejects with `PkiOptionError` for invalid
 * options (unknown VM names, no authentication method).
 */
export async function distributeCertificates(options: DistributeOptions): Promise<DistributionRun> {
  const { topology } = options;
  const targets = selectTargets(topology, options.vms);
  const ssh = topology.ssh;
  const concurrency = options.concurrency ?? ssh.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new PkiOptionError('concurrency must be a positive integer');
  const dryRun = options.dryRun ?? false;
  const privateKeyPath = ssh.privateKeyPath;
  const agent = options.agent ?? (ssh.useAgent ? process.env.SSH_AUTH_SOCK : undefined);
  if (!dryRun && options.privateKey === undefined && privateKeyPath === undefined && agent === undefined) {
    throw new PkiOptionError(
      'no SSH authentication configured: set ssh.privateKeyPath, pass privateKey, or use an agent',
    );
  }

  return pkiTracer().startActiveSpan(
    SPAN_PKI_DISTRIBUTE_RUN,
    {
      attributes: {
        [ATTR_PKI_OPERATION]: PKI_OPERATION_DISTRIBUTE_RUN,
        [ATTR_PKI_TARGETS_TOTAL]: targets.length,
        [ATTR_PKI_CONCURRENCY]: concurrency,
        [ATTR_PKI_DRY_RUN]: dryRun,
      },
    },
    async (runSpan) => {
      try {
        const traceId = runSpan.spanContext().traceId;
        const local = await loadLocalFiles(options.pkiDir, targets);
        let results: TargetResult[];
        if (dryRun) {
          results = targets.map((vm) => planned(vm, local.get(vm.name)));
        } else {
          const auth = await loadAuth(options, privateKeyPath, agent);
          const knownHostsPath =
            options.knownHostsPath ?? ssh.knownHostsPath ?? localPath('.', '~/.ssh/known_hosts');
          const knownHosts = await KnownHosts.load(knownHostsPath);
          const settings = {
            knownHosts,
            trustOnFirstUse: options.trustOnFirstUse ?? ssh.trustOnFirstUse,
            connectTimeoutMs: options.connectTimeoutMs ?? ssh.connectTimeoutMs,
            operationTimeoutMs: options.operationTimeoutMs ?? ssh.operationTimeoutMs,
          };
          results = await mapLimit(targets, concurrency, (vm) =>
            distributeToVm(vm, local.get(vm.name), auth, settings),
          );
        }
        const failed = results.filter((r) => r.status === 'failed');
        safely(() => {
          for (const r of results) {
            runSpan.addEvent(EVENT_PKI_TARGET_RESULT, {
              [ATTR_SSH_TARGET_VM]: r.vm,
              [ATTR_SSH_TARGET_IP]: r.address,
              status: r.status,
              [ATTR_SSH_FILES_COPIED]: r.filesCopied,
              ...(r.errorType ? { [ATTR_SSH_ERROR_TYPE]: r.errorType } : {}),
            });
          }
          runSpan.setAttribute(ATTR_PKI_TARGETS_FAILED, failed.length);
          runSpan.setAttribute(
            ATTR_PKI_FAILED_VMS,
            failed.map((r) => r.vm),
          );
          runSpan.setAttribute(
            ATTR_PKI_SUCCEEDED_VMS,
            results.filter((r) => r.status === 'ok').map((r) => r.vm),
          );
          if (failed.length > 0) {
            runSpan.setStatus({
              code: SpanStatusCode.ERROR,
              message: `${failed.length} of ${results.length} targets failed: ${failed.map((r) => `${r.vm} (${r.errorType})`).join(', ')}`,
            });
          }
        });
        return { traceId, dryRun, results, failed: failed.length };
      } catch (error) {
        recordError(runSpan, error);
        throw error;
      } finally {
        safely(() => runSpan.end());
      }
    },
  );
}

interface LocalFiles {
  readonly files?: RemoteFile[];
  readonly error?: SshDistributionError;
}

interface Auth {
  readonly privateKey?: Buffer | string;
  readonly passphrase?: string;
  readonly agent?: string;
  readonly error?: SshDistributionError;
}

interface Settings {
  readonly knownHosts: KnownHosts;
  readonly trustOnFirstUse: boolean;
  readonly connectTimeoutMs: number;
  readonly operationTimeoutMs: number;
}

function selectTargets(topology: Topology, names: readonly string[] | undefined): VmTarget[] {
  if (names === undefined || names.length === 0) return [...topology.vms.values()];
  const targets: VmTarget[] = [];
  for (const name of new Set(names)) {
    const vm = topology.vms.get(name as VmName);
    if (!vm) {
      throw new PkiOptionError(
        `unknown VM ${JSON.stringify(name)} (topology has ${[...topology.vms.keys()].join(', ')})`,
      );
    }
    targets.push(vm);
  }
  return targets;
}

async function loadLocalFiles(pkiDir: string, targets: VmTarget[]): Promise<Map<VmName, LocalFiles>> {
  const out = new Map<VmName, LocalFiles>();
  let caCert: Buffer | undefined;
  let caError: SshDistributionError | undefined;
  try {
    caCert = await readFile(pkiLayout(pkiDir).caCertPath);
  } catch (cause) {
    caError = new SshLocalError('cert_missing', `CA certificate missing under ${pkiDir} (run init-ca)`, {
      cause,
    });
  }
  for (const vm of targets) {
    if (!caCert) {
      out.set(vm.name, { error: caError });
      continue;
    }
    const paths = certPaths(pkiDir, vm.name);
    try {
      const [cert, key] = await Promise.all([readFile(paths.certPath), readFile(paths.keyPath)]);
      out.set(vm.name, {
        files: [
          { name: 'ca.crt', data: caCert, mode: CERT_FILE_MODE },
          { name: 'server.crt', data: cert, mode: CERT_FILE_MODE },
          { name: 'server.key', data: key, mode: KEY_FILE_MODE },
        ],
      });
    } catch (cause) {
      const missing = new CertMissingError(`no certificate issued for ${vm.name} (run issue ${vm.name})`, {
        cause,
      });
      out.set(vm.name, { error: new SshLocalError('cert_missing', missing.message, { cause: missing }) });
    }
  }
  return out;
}

async function loadAuth(
  options: DistributeOptions,
  privateKeyPath: string | undefined,
  agent: string | undefined,
): Promise<Auth> {
  let privateKey = options.privateKey;
  if (privateKey === undefined && privateKeyPath !== undefined) {
    try {
      privateKey = await readFile(privateKeyPath);
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
      checkPrivateKey(privateKey, options.passphrase);
    } catch (error) {
      return { error: error as SshDistributionError };
    }
  }
  return {
    ...(privateKey === undefined ? {} : { privateKey }),
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    ...(agent === undefined ? {} : { agent }),
  };
}

function planned(vm: VmTarget, local: LocalFiles | undefined): TargetResult {
  const error = local?.error;
  return {
    ...identity(vm),
    ok: !error,
    status: error ? 'failed' : 'planned',
    filesCopied: 0,
    ...(error ? { errorType: error.errorType, message: error.message } : {}),
    checksums: {},
    reloaded: false,
    durationMs: 0,
  };
}

function identity(vm: VmTarget) {
  return { vm: vm.name, address: vm.address, port: vm.port, user: vm.user };
}

async function distributeToVm(
  vm: VmTarget,
  local: LocalFiles | undefined,
  auth: Auth,
  settings: Settings,
): Promise<TargetResult> {
  const started = performance.now();
  return pkiTracer().startActiveSpan(
    SPAN_SSH_DISTRIBUTE_CERTIFICATES,
    {
      attributes: {
        [ATTR_SSH_TARGET_VM]: vm.name,
        [ATTR_SSH_TARGET_IP]: vm.address,
        [ATTR_SSH_USER]: vm.user,
        [ATTR_SSH_FILES_COPIED]: 0,
        [ATTR_PKI_OPERATION]: PKI_OPERATION_DISTRIBUTE,
      },
    },
    async (span: Span) => {
      const progress = { filesCopied: 0, checksums: {} as Record<string, string>, reloaded: false };
      try {
        if (local?.error) throw local.error;
        if (auth.error) throw auth.error;
        await pushFiles(vm, local?.files ?? [], auth, settings, progress);
        return {
          ...identity(vm),
          ok: true,
          status: 'ok' as const,
          ...progress,
          durationMs: performance.now() - started,
        };
      } catch (error) {
        const classified =
          error instanceof SshDistributionError
            ? error
            : new SshDistributionError('ssh_error', `unexpected failure: ${safeMessage(error)}`, {
                cause: error,
              });
        safely(() => span.setAttribute(ATTR_SSH_ERROR_TYPE, classified.errorType));
        recordError(span, classified);
        return {
          ...identity(vm),
          ok: false,
          status: 'failed' as const,
          ...progress,
          errorType: classified.errorType,
          message: classified.message,
          durationMs: performance.now() - started,
        };
      } finally {
        safely(() => {
          span.setAttribute(ATTR_SSH_FILES_COPIED, progress.filesCopied);
          span.end();
        });
      }
    },
  );
}

async function pushFiles(
  vm: VmTarget,
  files: RemoteFile[],
  auth: Auth,
  settings: Settings,
  progress: { filesCopied: number; checksums: Record<string, string>; reloaded: boolean },
): Promise<void> {
  const session = await SshSession.open({
    host: vm.address,
    port: vm.port,
    username: vm.user,
    ...(auth.privateKey === undefined ? {} : { privateKey: auth.privateKey }),
    ...(auth.passphrase === undefined ? {} : { passphrase: auth.passphrase }),
    ...(auth.agent === undefined ? {} : { agent: auth.agent }),
    ...settings,
  });
  const staged: StagedFile[] = [];
  try {
    await ensureRemoteDir(session, vm.remoteDir);
    await removeStaleTempFiles(session, vm.remoteDir);
    // Stage every file first, then rename them all: the window in which a VM holds a new certificate
    // next to an old key is as short as three renames.
    for (const file of files) staged.push(await stageFile(session, vm.remoteDir, file));
    while (staged.length > 0) {
      const next = staged[0] as StagedFile;
      await commitFile(session, next);
      staged.shift();
      progress.filesCopied += 1;
    }
    for (const file of files) {
      const final = `${vm.remoteDir}/${file.name}`;
      progress.checksums[final] = await verifyFile(session, { file, tmpPath: final, finalPath: final });
    }
    if (vm.reloadCommand) {
      let outcome: { code: number | null; stderr: string };
      try {
        outcome = await session.exec(vm.reloadCommand);
      } catch (error) {
        if (error instanceof SshDistributionError) throw error;
        throw new SshReloadError('reload_failed', `reload command could not start: ${safeMessage(error)}`, {
          cause: error,
        });
      }
      if (outcome.code !== 0) {
        const detail = outcome.stderr.trim().split('\n')[0] ?? '';
        throw new SshReloadError(
          'reload_failed',
          `reload command exited with ${String(outcome.code)}${detail ? `: ${detail}` : ''}`,
        );
      }
      progress.reloaded = true;
    }
  } finally {
    for (const leftover of staged) await removeQuietly(session, leftover.tmpPath);
    session.end();
  }
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping the input order in the output. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
