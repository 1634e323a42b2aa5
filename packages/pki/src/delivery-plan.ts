import { readFile } from 'node:fs/promises';
import { CertMissingError, PkiOptionError, type SshDistributionError, SshLocalError } from './errors.js';
import { CERT_FILE_MODE, KEY_FILE_MODE } from './files.js';
import { certPaths, pkiLayout } from './layout.js';
import type { RemoteFile } from './remote-files.js';
import type { Topology, VmName, VmTarget } from './topology.js';

/** Remote file names and modes every VM receives. */
export const REMOTE_FILES = [
  { name: 'ca.crt', mode: CERT_FILE_MODE },
  { name: 'server.crt', mode: CERT_FILE_MODE },
  { name: 'server.key', mode: KEY_FILE_MODE },
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
 * Reads, for each target, the files it is to receive from the PKI directory. Never rejects: a
 * missing CA fails every target, a missing VM certificate fails that VM, each as `cert_missing`.
 */
export async function planDeliveries(
  pkiDir: string,
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
  for (const vm of targets) out.set(vm.name, await deliveryFor(pkiDir, vm, caCert));
  return out;
}

async function deliveryFor(pkiDir: string, vm: VmTarget, caCert: Buffer): Promise<Delivery> {
  const paths = certPaths(pkiDir, vm.name);
  try {
    const [cert, key] = await Promise.all([readFile(paths.certPath), readFile(paths.keyPath)]);
    return {
      files: [
        { name: 'ca.crt', data: caCert, mode: CERT_FILE_MODE },
        { name: 'server.crt', data: cert, mode: CERT_FILE_MODE },
        { name: 'server.key', data: key, mode: KEY_FILE_MODE },
      ],
    };
  } catch (cause) {
    const missing = new CertMissingError(`no certificate issued for ${vm.name} (run issue ${vm.name})`, {
      cause,
    });
    return { error: new SshLocalError('cert_missing', missing.message, { cause: missing }) };
  }
}
