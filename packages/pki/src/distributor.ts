import { type Env, EnvReader, recordError } from '@autobot/tracing';
import { type Span, SpanStatusCode } from '@opentelemetry/api';
import { planDeliveries, selectTargets } from './delivery-plan.js';
import { distributeToVm, plannedResult } from './distribute-target.js';
import { PkiOptionError } from './errors.js';
import { KnownHosts } from './known-hosts.js';
import { mapLimit } from './map-limit.js';
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
  EVENT_PKI_TARGET_RESULT,
  PKI_OPERATION_DISTRIBUTE_RUN,
  SPAN_PKI_DISTRIBUTE_RUN,
} from './semconv.js';
import { loadSshAuth } from './ssh-auth.js';
import type { ConnectSettings } from './ssh-upload.js';
import type { TargetResult } from './target-result.js';
import { localPath, type Topology, type VmTarget } from './topology.js';
import { pkiTracer, safely } from './tracer.js';

export type { TargetResult } from './target-result.js';

/** Options of {@link distributeCertificates}. Unset SSH fields fall back to `topology.ssh`. */
export interface DistributeOptions {
  topology: Topology;
  /** PKI directory holding `ca/ca.crt`, `certs/<vm>/server.{crt,key}` (and `client.{crt,key}`, `certs/collector/`). */
  pkiDir: string;
  /** Only these VMs (default: every VM of the topology). */
  vms?: readonly string[];
  /** Plan only: check local files, connect to nothing. */
  dryRun?: boolean;
  /** Private key text; overrides `topology.ssh.privateKeyPath`. Never recorded anywhere. */
  privateKey?: Buffer | string;
  /** Passphrase of the private key. Never recorded anywhere. */
  passphrase?: string;
  /** SSH agent socket; used when set. Default with `ssh.useAgent`: `SSH_AUTH_SOCK` of `env`. */
  agent?: string;
  /** Environment `SSH_AUTH_SOCK` is read from when `ssh.useAgent` is on. Default `process.env`. */
  env?: Env;
  knownHostsPath?: string;
  trustOnFirstUse?: boolean;
  concurrency?: number;
  connectTimeoutMs?: number;
  operationTimeoutMs?: number;
}

/** Outcome of a whole run. */
export interface DistributionRun {
  /** Trace id of the run's parent span (all-zero when tracing is off). */
  readonly traceId: string;
  readonly dryRun: boolean;
  readonly results: readonly TargetResult[];
  readonly failed: number;
}

/**
 * Distributes the CA certificate and each VM's certificate and key over SSH/SFTP; when the topology
 * places the collector, also the collector's TLS server pair (`collector.{crt,key}`, to its VM) and
 * each VM's client pair for mutual TLS (`client.{crt,key}`). Keys land with mode 0600, certificates 0644.
 *
 * Per VM (at most `concurrency` at a time): connect with the private key (and/or agent), verify the
 * host key against known_hosts (trust-on-first-use only when enabled), upload every file to a
 * temporary name with its final mode, rename them into place (`posix-rename@openssh.com`), read each
 * back and compare SHA-256 and mode, then run the VM's `reloadCommand` if any. A failing VM never stops
 * the others; a half-written file never appears under a final name.
 *
 * Tracing: a parent `pki.distribute_certificates` span for the run (per-VM `pki.target_result` events,
 * counts, failed VM names) and one `ssh.distribute_certificates` child per VM with `ssh.target_vm`,
 * `ssh.target_ip`, `ssh.user`, `ssh.files_copied`, `pki.files` (remote file names), `pki.operation=distribute` and, on failure,
 * `ssh.error_type` plus the shared error recording. No key material reaches a span.
 *
 * Never rejects for a target failure (see `results`); rejects with `PkiOptionError` for invalid
 * options (unknown VM names, no authentication method).
 */
export async function distributeCertificates(options: DistributeOptions): Promise<DistributionRun> {
  const run = resolveRun(options);
  return pkiTracer().startActiveSpan(
    SPAN_PKI_DISTRIBUTE_RUN,
    {
      attributes: {
        [ATTR_PKI_OPERATION]: PKI_OPERATION_DISTRIBUTE_RUN,
        [ATTR_PKI_TARGETS_TOTAL]: run.targets.length,
        [ATTR_PKI_CONCURRENCY]: run.concurrency,
        [ATTR_PKI_DRY_RUN]: run.dryRun,
      },
    },
    async (runSpan) => {
      try {
        const results = await distributeAll(options, run);
        const failed = results.filter((r) => r.status === 'failed').length;
        safely(() => recordRunOutcome(runSpan, results));
        return { traceId: runSpan.spanContext().traceId, dryRun: run.dryRun, results, failed };
      } catch (error) {
        recordError(runSpan, error);
        throw error;
      } finally {
        safely(() => runSpan.end());
      }
    },
  );
}

/** The validated shape of one run: targets, concurrency, authentication sources. */
interface ResolvedRun {
  readonly targets: VmTarget[];
  readonly concurrency: number;
  readonly dryRun: boolean;
  readonly privateKeyPath: string | undefined;
  readonly agent: string | undefined;
}

function resolveRun(options: DistributeOptions): ResolvedRun {
  const { ssh } = options.topology;
  const targets = selectTargets(options.topology, options.vms);
  const concurrency = options.concurrency ?? ssh.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new PkiOptionError('concurrency must be a positive integer');
  const dryRun = options.dryRun ?? false;
  const privateKeyPath = ssh.privateKeyPath;
  const agent = options.agent ?? (ssh.useAgent ? agentSocket(options.env ?? process.env) : undefined);
  if (!dryRun && options.privateKey === undefined && privateKeyPath === undefined && agent === undefined) {
    throw new PkiOptionError(
      'no SSH authentication configured: set ssh.privateKeyPath, pass privateKey, or use an agent',
    );
  }
  return { targets, concurrency, dryRun, privateKeyPath, agent };
}

/** `SSH_AUTH_SOCK`, or undefined when unset or blank. */
function agentSocket(env: Env): string | undefined {
  return new EnvReader(env).text('SSH_AUTH_SOCK', '') || undefined;
}

async function distributeAll(options: DistributeOptions, run: ResolvedRun): Promise<TargetResult[]> {
  const deliveries = await planDeliveries(options.pkiDir, options.topology, run.targets);
  if (run.dryRun) return run.targets.map((vm) => plannedResult(vm, deliveries.get(vm.name)));
  const auth = await loadSshAuth({
    ...(options.privateKey === undefined ? {} : { privateKey: options.privateKey }),
    ...(run.privateKeyPath === undefined ? {} : { privateKeyPath: run.privateKeyPath }),
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    ...(run.agent === undefined ? {} : { agent: run.agent }),
  });
  const settings = await connectSettings(options);
  return mapLimit(run.targets, run.concurrency, (vm) =>
    distributeToVm(vm, deliveries.get(vm.name), auth, settings),
  );
}

async function connectSettings(options: DistributeOptions): Promise<ConnectSettings> {
  const { ssh } = options.topology;
  const knownHostsPath = options.knownHostsPath ?? ssh.knownHostsPath ?? localPath('.', '~/.ssh/known_hosts');
  return {
    knownHosts: await KnownHosts.load(knownHostsPath),
    trustOnFirstUse: options.trustOnFirstUse ?? ssh.trustOnFirstUse,
    connectTimeoutMs: options.connectTimeoutMs ?? ssh.connectTimeoutMs,
    operationTimeoutMs: options.operationTimeoutMs ?? ssh.operationTimeoutMs,
  };
}

/** Per-VM result events, counts and VM names on the run span; status ERROR when any VM failed. */
function recordRunOutcome(runSpan: Span, results: readonly TargetResult[]): void {
  for (const r of results) {
    runSpan.addEvent(EVENT_PKI_TARGET_RESULT, {
      [ATTR_SSH_TARGET_VM]: r.vm,
      [ATTR_SSH_TARGET_IP]: r.address,
      status: r.status,
      [ATTR_SSH_FILES_COPIED]: r.filesCopied,
      ...(r.errorType ? { [ATTR_SSH_ERROR_TYPE]: r.errorType } : {}),
    });
  }
  const failed = results.filter((r) => r.status === 'failed');
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
}
