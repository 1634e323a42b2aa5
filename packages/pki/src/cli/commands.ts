import type { Env } from '@autobot/tracing';
import { initCa, loadCa } from '../ca.js';
import { distributeCertificates } from '../distributor.js';
import { issueCertificate } from '../issue.js';
import {
  COLLECTOR_CERT_NAME,
  certificateSubjectFor,
  loadTopology,
  localPath,
  MAIN_HOST_NAME,
  type Topology,
  type VmName,
} from '../topology.js';
import {
  type CliValues,
  certificateProfile,
  keyAlgorithmOption,
  optionalInt,
  readKey,
  UsageError,
} from './options.js';
import { formatResultTable } from './table.js';

/** Highest failed-VM count reported as an exit code (codes above are reserved). */
export const MAX_FAILED_EXIT = 63;

/** What every command gets: its flags and positionals, resolved paths and secrets, output. */
export interface CommandContext {
  readonly values: CliValues;
  /** Positionals after the command name. */
  readonly args: readonly string[];
  readonly pkiDir: string;
  readonly topologyPath: string;
  /** SSH key passphrase from the environment; '' when unset. */
  readonly passphrase: string;
  /** SSH agent socket from the environment; '' when unset. */
  readonly agentSocket: string;
  /** The environment the CLI was given (the distributor reads `SSH_AUTH_SOCK` from it for `ssh.useAgent`). */
  readonly env: Env;
  readonly out: (line: string) => void;
}

/** `init-ca`: creates the CA. Resolves with the exit code. */
export async function runInitCa({ values, pkiDir, out }: CommandContext): Promise<number> {
  const ca = await initCa({
    dir: pkiDir,
    ...(values.cn === undefined ? {} : { commonName: values.cn }),
    ...optionalInt('validityDays', '--days', values.days),
    ...keyAlgorithmOption(values['key-algorithm']),
    overwrite: values.force ?? false,
  });
  out(`CA created: ${ca.layout.caCertPath} (key ${ca.layout.caKeyPath}, mode 0600)`);
  out(
    `subject ${ca.certificate.subject}, serial ${ca.certificate.serialNumber}, not after ${ca.certificate.notAfter.toISOString()}`,
  );
  return 0;
}

/** `issue <name>... | --all`: one certificate per name. Resolves with the exit code. */
export async function runIssue({ values, args, pkiDir, topologyPath, out }: CommandContext): Promise<number> {
  const topology = await loadTopology(topologyPath);
  const names = values.all ? [...topology.vms.keys(), ...(topology.mainHost ? [MAIN_HOST_NAME] : [])] : args;
  if (names.length === 0) throw new UsageError('issue needs a VM name (or --all)');
  const ca = await loadCa(pkiDir);
  const profile = certificateProfile(values.profile);
  for (const name of names) {
    const subject = subjectFor(topology, name, values, profile === 'client');
    const issued = await issueCertificate(ca, {
      name,
      profile,
      ...subject,
      ...optionalInt('validityDays', '--days', values.days),
      ...keyAlgorithmOption(values['key-algorithm']),
    });
    out(
      `${name} (${profile}): ${issued.certPath} serial ${issued.serial} not after ${issued.notAfter.toISOString()} ` +
        `SAN ${[...subject.dnsNames, ...subject.ipAddresses].join(',')}`,
    );
  }
  return 0;
}

/**
 * The SANs of `name`: the topology's (a VM, `backend`, or `collector` when placed) plus `--dns`/`--ip`.
 * A name outside the topology is fine when SANs are given or it is a client identity; otherwise the
 * topology check names the known names.
 */
function subjectFor(topology: Topology, name: string, values: CliValues, client: boolean) {
  const extraDns = values.dns ?? [];
  const extraIps = values.ip ?? [];
  const known =
    topology.vms.has(name as VmName) ||
    (name === MAIN_HOST_NAME && topology.mainHost !== undefined) ||
    (name === COLLECTOR_CERT_NAME && topology.collector !== undefined);
  const base =
    known || (!client && extraDns.length + extraIps.length === 0)
      ? certificateSubjectFor(topology, name)
      : { dnsNames: [], ipAddresses: [] };
  return {
    dnsNames: [...new Set([...base.dnsNames, ...extraDns])],
    ipAddresses: [...new Set([...base.ipAddresses, ...extraIps])],
  };
}

/** `distribute`: copies the TLS files to the VMs. Resolves with the failed-VM count (capped). */
export async function runDistribute(context: CommandContext): Promise<number> {
  const { values, args, pkiDir, topologyPath, passphrase, agentSocket, env, out } = context;
  if (args.length > 0) throw new UsageError(`unexpected argument ${args[0]} (use --vm <name>)`);
  const topology = await loadTopology(topologyPath);
  const run = await distributeCertificates({
    topology,
    pkiDir,
    env,
    ...(values.vm === undefined ? {} : { vms: values.vm }),
    dryRun: values['dry-run'] ?? false,
    ...(values.identity === undefined ? {} : { privateKey: await readKey(values.identity) }),
    ...(passphrase === '' ? {} : { passphrase }),
    ...(values.agent && agentSocket !== '' ? { agent: agentSocket } : {}),
    ...(values['known-hosts'] === undefined ? {} : { knownHostsPath: localPath('.', values['known-hosts']) }),
    ...(values['trust-on-first-use'] ? { trustOnFirstUse: true } : {}),
    ...optionalInt('concurrency', '--concurrency', values.concurrency),
    ...optionalInt('connectTimeoutMs', '--connect-timeout', values['connect-timeout']),
    ...optionalInt('operationTimeoutMs', '--op-timeout', values['op-timeout']),
  });
  out(formatResultTable(run.results));
  out('');
  out(
    `${run.dryRun ? 'dry run: ' : ''}${run.results.length - run.failed} ${run.dryRun ? 'planned' : 'ok'}, ` +
      `${run.failed} failed; trace id ${run.traceId}`,
  );
  return Math.min(run.failed, MAX_FAILED_EXIT);
}
