import { readFile } from 'node:fs/promises';
import { CertMissingError, PkiOptionError, type SshDistributionError, SshLocalError } from './errors.js';
import { CERT_FILE_MODE, KEY_FILE_MODE } from './files.js';
import { type CertPaths, certPaths, clientCertPaths, pkiLayout } from './layout.js';
import type { RemoteFile } from './remote-files.js';
import { COLLECTOR_CERT_NAME, type Topology, type VmName, type VmTarget } from './topology.js';

/** Remote file names and modes every VM receives. */
export const REMOTE_FILES = [
  { name: 'ca.crt', mode: CERT_FILE_MODE },
  { name: 'server.crt', mode: CERT_FILE_MODE },
  { name: 'server.key', mode: KEY_FILE_MODE },
] as const;

/** Files the collector's VM also receives when the topology places the collector: its TLS server pair. */
export const COLLECTOR_REMOTE_FILES = [
  { name: 'collector.crt', mode: CERT_FILE_MODE },
  { name: 'collector.key', mode: KEY_FILE_MODE },
] as const;

/** Files every VM also receives when the topology places the collector (and `clientCertificates`). */
export const CLIENT_REMOTE_FILES = [
  { name: 'client.crt', mode: CERT_FILE_MODE },
  { name: 'client.key', mode: KEY_FILE_MODE },
] as const;

/** The files one VM is to receive, or why it cannot receive them (`cert_missing`). */
export interface Delivery {
  readonly files?: readonly RemoteFile[];
  readonly error?: SshDistributionError;
}

/**
 * The VMs a run targets: the named ones (deduplicated, in the given order) or every VM.
 * @throws PkiOptionError naming an unknown VM and the known ones.
 */
export function selectTargets(topology: Topology, names: readonly string[] | undefined): VmTarget[] {
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

/**
 * Reads, for each target, the files it is to receive from the PKI directory: the CA certificate and
 * its server pair; with `topology.collector`, also the collector's server pair on the collector's VM
 * and the VM's client pair. Never rejects: a missing CA fails every target, a missing pair fails that
 * VM, each as `cert_missing` naming the `issue` command that fixes it.
 */
export async function planDeliveries(
  pkiDir: string,
  topology: Topology,
  targets: readonly VmTarget[],
): Promise<Map<VmName, Delivery>> {
  const out = new Map<VmName, Delivery>();
  let caCert: Buffer;
  try {
    caCert = await readFile(pkiLayout(pkiDir).caCertPath);
  } catch (cause) {
    const error = new SshLocalError('cert_missing', `CA certificate missing under ${pkiDir} (run init-ca)`, {
      cause,
    });
    for (const vm of targets) out.set(vm.name, { error });
    return out;
  }
  for (const vm of targets) {
    const ca: RemoteFile = { name: 'ca.crt', data: caCert, mode: CERT_FILE_MODE };
    out.set(vm.name, await readPairs(ca, pairsFor(pkiDir, topology, vm)));
  }
  return out;
}

/** A certificate + key pair one VM receives, with the hint that names how to issue it. */
interface PairSource {
  readonly paths: CertPaths;
  readonly files: readonly [{ name: string; mode: number }, { name: string; mode: number }];
  readonly missing: string;
}

function pairsFor(pkiDir: string, topology: Topology, vm: VmTarget): PairSource[] {
  const pairs: PairSource[] = [
    {
      paths: certPaths(pkiDir, vm.name),
      files: [REMOTE_FILES[1], REMOTE_FILES[2]],
      missing: `no certificate issued for ${vm.name} (run issue ${vm.name})`,
    },
  ];
  if (topology.collector?.vm === vm.name) {
    pairs.push({
      paths: certPaths(pkiDir, COLLECTOR_CERT_NAME),
      files: COLLECTOR_REMOTE_FILES,
      missing: `no collector certificate issued for ${vm.name} (run issue ${COLLECTOR_CERT_NAME})`,
    });
  }
  if (topology.collector?.clientCertificates) {
    pairs.push({
      paths: clientCertPaths(pkiDir, vm.name),
      files: CLIENT_REMOTE_FILES,
      missing: `no client certificate issued for ${vm.name} (run issue ${vm.name} --profile client)`,
    });
  }
  return pairs;
}

async function readPairs(ca: RemoteFile, pairs: readonly PairSource[]): Promise<Delivery> {
  const files: RemoteFile[] = [ca];
  for (const pair of pairs) {
    try {
      const [cert, key] = await Promise.all([readFile(pair.paths.certPath), readFile(pair.paths.keyPath)]);
      files.push({ ...pair.files[0], data: cert }, { ...pair.files[1], data: key });
    } catch (cause) {
      const missing = new CertMissingError(pair.missing, { cause });
      return { error: new SshLocalError('cert_missing', missing.message, { cause: missing }) };
    }
  }
  return { files };
}
