import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { EnvReader, getTracingService } from '@autobot/tracing';
import { initCa, loadCa } from '../ca.js';
import { distributeCertificates } from '../distributor.js';
import { PkiError } from '../errors.js';
import { CERTIFICATE_PROFILES, type CertificateProfile, issueCertificate } from '../issue.js';
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../keys.js';
import { certificateSubjectFor, loadTopology, localPath, MAIN_HOST_NAME } from '../topology.js';
import { formatResultTable } from './table.js';

/** Exit code for bad usage or configuration (`distribute` otherwise exits with the failed-VM count). */
export const EXIT_USAGE = 64;
/** Exit code for an unexpected internal error. */
export const EXIT_INTERNAL = 70;
/** Highest failed-VM count reported as an exit code (codes above are reserved). */
export const MAX_FAILED_EXIT = 63;

const USAGE = `usage: autobot-pki [global options] <command> [options]

commands:
  init-ca                     create the CA (refuses to overwrite without --force)
      --cn <name>             CA common name (default "AutoBot Internal CA")
      --days <n>              validity in days (default 3650)
      --key-algorithm <alg>   ${KEY_ALGORITHMS.join(' | ')} (default ecdsa-p256)
      --force                 replace an existing CA
  issue <vm>... | --all       issue a server certificate for VMs of the topology (or "backend")
      --days <n>              validity in days (default 397)
      --key-algorithm <alg>
      --profile server|client server (default): serverAuth+clientAuth, certs/<name>/server.{crt,key};
                              client: clientAuth only, certs/<name>/client.{crt,key} (mTLS to the collector)
      --dns <name> --ip <addr> extra subjectAltNames (repeatable), e.g. the collector's names;
                              with them (or --profile client) <name> need not be in the topology
  distribute                  copy CA cert, VM cert and key to the VMs over SSH
      --vm <name>             only this VM (repeatable)
      --dry-run               check local files, connect to nothing
      --identity <file>       SSH private key (default: topology ssh.privateKeyPath)
      --agent                 also use the agent at $SSH_AUTH_SOCK
      --known-hosts <file>    known_hosts file (default: topology, then ~/.ssh/known_hosts)
      --trust-on-first-use    record unknown host keys instead of refusing them
      --concurrency <n>       VMs at the same time (default: topology, then 4)
      --connect-timeout <ms>  connect + handshake timeout
      --op-timeout <ms>       timeout of each SFTP operation

global options:
  --pki-dir <dir>             PKI directory (default $AUTOBOT_PKI_DIR, then ./.autobot/pki)
  --topology <file>           topology JSON (default $AUTOBOT_PKI_TOPOLOGY, then ./topology.json)
  -h, --help

The SSH key passphrase, if any, is read from $AUTOBOT_PKI_KEY_PASSPHRASE (never from the command line).
Tracing follows the AUTOBOT_* / OTEL_* variables of @autobot/tracing (AUTOBOT_JAEGER_ENDPOINT, ...).
distribute exits with the number of failed VMs (capped at ${MAX_FAILED_EXIT}); ${EXIT_USAGE} = bad usage or configuration.`;

/** Where the CLI writes. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/**
 * Runs the `autobot-pki` command line. Initialises tracing (service `autobot-pki`), runs the command,
 * flushes spans, and resolves with the process exit code (it never calls `process.exit`).
 */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`autobot-pki: ${(error as Error).message}`);
    io.err(USAGE);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : EXIT_USAGE;
  }
  const tracing = getTracingService();
  tracing.initialize({ serviceName: 'autobot-pki', handleSignals: false }, io.env);
  const env = new EnvReader(io.env);
  try {
    const pkiDir = localPath('.', values['pki-dir'] ?? env.text('AUTOBOT_PKI_DIR', '.autobot/pki'));
    const topologyPath = localPath('.', values.topology ?? env.text('AUTOBOT_PKI_TOPOLOGY', 'topology.json'));
    // A passphrase is taken byte for byte (never trimmed, never echoed in a warning).
    const passphrase = io.env.AUTOBOT_PKI_KEY_PASSPHRASE ?? '';
    switch (command) {
      case 'init-ca': {
        const ca = await initCa({
          dir: pkiDir,
          ...(values.cn === undefined ? {} : { commonName: values.cn }),
          ...(values.days === undefined ? {} : { validityDays: intOption('--days', values.days) }),
          ...(values['key-algorithm'] === undefined
            ? {}
            : { keyAlgorithm: keyAlgorithm(values['key-algorithm']) }),
          overwrite: values.force ?? false,
        });
        io.out(`CA created: ${ca.layout.caCertPath} (key ${ca.layout.caKeyPath}, mode 0600)`);
        io.out(
          `subject ${ca.certificate.subject}, serial ${ca.certificate.serialNumber}, not after ${ca.certificate.notAfter.toISOString()}`,
        );
        return 0;
      }
      case 'issue': {
        const topology = await loadTopology(topologyPath);
        const names = values.all
          ? [...topology.vms.keys(), ...(topology.mainHost ? [MAIN_HOST_NAME] : [])]
          : rest;
        if (names.length === 0) throw new UsageError('issue needs a VM name (or --all)');
        const ca = await loadCa(pkiDir);
        const profile = certificateProfile(values.profile);
        const extraDns = values.dns ?? [];
        const extraIps = values.ip ?? [];
        for (const name of names) {
          const known = topology.vms.has(name as never) || (name === MAIN_HOST_NAME && topology.mainHost);
          // A name outside the topology (e.g. "collector") is fine when its SANs are given or it
          // is a client identity; otherwise the topology check names the known VMs.
          const base =
            known || (profile === 'server' && extraDns.length + extraIps.length === 0)
              ? certificateSubjectFor(topology, name)
              : { dnsNames: [], ipAddresses: [] };
          const subject = {
            dnsNames: [...new Set([...base.dnsNames, ...extraDns])],
            ipAddresses: [...new Set([...base.ipAddresses, ...extraIps])],
          };
          const issued = await issueCertificate(ca, {
            name,
            profile,
            dnsNames: subject.dnsNames,
            ipAddresses: subject.ipAddresses,
            ...(values.days === undefined ? {} : { validityDays: intOption('--days', values.days) }),
            ...(values['key-algorithm'] === undefined
              ? {}
              : { keyAlgorithm: keyAlgorithm(values['key-algorithm']) }),
          });
          io.out(
            `${name} (${profile}): ${issued.certPath} serial ${issued.serial} not after ${issued.notAfter.toISOString()} ` +
              `SAN ${[...subject.dnsNames, ...subject.ipAddresses].join(',')}`,
          );
        }
        return 0;
      }
      case 'distribute': {
        if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]} (use --vm <name>)`);
        const topology = await loadTopology(topologyPath);
        const run = await distributeCertificates({
          topology,
          pkiDir,
          ...(values.vm === undefined ? {} : { vms: values.vm }),
          dryRun: values['dry-run'] ?? false,
          ...(values.identity === undefined ? {} : { privateKey: await readKey(values.identity) }),
          ...(passphrase === '' ? {} : { passphrase }),
          ...(values.agent ? { agent: env.text('SSH_AUTH_SOCK', '') || undefined } : {}),
          ...(values['known-hosts'] === undefined
            ? {}
            : { knownHostsPath: localPath('.', values['known-hosts']) }),
          ...(values['trust-on-first-use'] ? { trustOnFirstUse: true } : {}),
          ...(values.concurrency === undefined
            ? {}
            : { concurrency: intOption('--concurrency', values.concurrency) }),
          ...(values['connect-timeout'] === undefined
            ? {}
            : { connectTimeoutMs: intOption('--connect-timeout', values['connect-timeout']) }),
          ...(values['op-timeout'] === undefined
            ? {}
            : { operationTimeoutMs: intOption('--op-timeout', values['op-timeout']) }),
        });
        io.out(formatResultTable(run.results));
        io.out('');
        io.out(
          `${run.dryRun ? 'dry run: ' : ''}${run.results.length - run.failed} ${run.dryRun ? 'planned' : 'ok'}, ` +
            `${run.failed} failed; trace id ${run.traceId}`,
        );
        return Math.min(run.failed, MAX_FAILED_EXIT);
      }
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`autobot-pki: ${error.message}`);
      return EXIT_USAGE;
    }
    if (error instanceof PkiError) {
      io.err(`autobot-pki: ${error.message} [${error.code}]`);
      return EXIT_USAGE;
    }
    io.err(`autobot-pki: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_INTERNAL;
  } finally {
    await tracing.shutdown();
  }
}

class UsageError extends Error {}

function parse(argv: readonly string[]) {
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

function intOption(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new UsageError(`${name} must be a whole number, got ${value}`);
  return n;
}

function certificateProfile(value: string | undefined): CertificateProfile {
  if (value === undefined) return 'server';
  if (!(CERTIFICATE_PROFILES as readonly string[]).includes(value)) {
    throw new UsageError(`--profile must be one of ${CERTIFICATE_PROFILES.join(', ')}`);
  }
  return value as CertificateProfile;
}

function keyAlgorithm(value: string): KeyAlgorithm {
  if (!(KEY_ALGORITHMS as readonly string[]).includes(value)) {
    throw new UsageError(`--key-algorithm must be one of ${KEY_ALGORITHMS.join(', ')}`);
  }
  return value as KeyAlgorithm;
}

async function readKey(path: string): Promise<Buffer> {
  try {
    return await readFile(localPath('.', path));
  } catch (error) {
    throw new UsageError(
      `cannot read --identity ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}
