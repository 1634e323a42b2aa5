import type { SshErrorType } from './errors.js';
import type { VmName, VmTarget } from './topology.js';

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

/** The fields of a {@link TargetResult} that name the target. */
export function targetIdentity(vm: VmTarget): Pick<TargetResult, 'vm' | 'address' | 'port' | 'user'> {
  return { vm: vm.name, address: vm.address, port: vm.port, user: vm.user };
}
