import { SshDistributionError, SshReloadError } from './errors.js';
import type { KnownHosts } from './known-hosts.js';
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
import type { SshAuth } from './ssh-auth.js';
import { SshSession, safeMessage } from './ssh-session.js';
import type { VmTarget } from './topology.js';

/** Connection settings shared by every target of a run. */
export interface ConnectSettings {
  readonly knownHosts: KnownHosts;
  readonly trustOnFirstUse: boolean;
  readonly connectTimeoutMs: number;
  readonly operationTimeoutMs: number;
}

/** What a push achieved so far; filled in as it goes, so a failure still reports partial progress. */
export interface PushProgress {
  /** Files renamed into their final place. */
  filesCopied: number;
  /** SHA-256 of each file as read back from the VM, by remote path. */
  checksums: Record<string, string>;
  reloaded: boolean;
}

/**
 * Places `files` in the VM's remote directory: connect, create the directory, remove stale temp
 * files, stage every file under a temporary name, rename them all into place, read each back and
 * compare, then run the VM's reload command. Staged files left by a failure are removed.
 *
 * @throws SshDistributionError (a subclass per failure class).
 */
export async function pushFiles(
  vm: VmTarget,
  files: readonly RemoteFile[],
  auth: SshAuth,
  settings: ConnectSettings,
  progress: PushProgress,
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
    // next to an old key is as short as the renames.
    for (const file of files) staged.push(await stageFile(session, vm.remoteDir, file));
    while (staged.length > 0) {
      await commitFile(session, staged[0] as StagedFile);
      staged.shift();
      progress.filesCopied += 1;
    }
    for (const file of files) {
      const final = `${vm.remoteDir}/${file.name}`;
      progress.checksums[final] = await verifyFile(session, { file, tmpPath: final, finalPath: final });
    }
    if (vm.reloadCommand) {
      await runReload(session, vm.reloadCommand);
      progress.reloaded = true;
    }
  } finally {
    for (const leftover of staged) await removeQuietly(session, leftover.tmpPath);
    session.end();
  }
}

/** Runs the reload command; a non-zero exit or a failure to start is `reload_failed`. */
async function runReload(session: SshSession, command: string): Promise<void> {
  let outcome: { code: number | null; stderr: string };
  try {
    outcome = await session.exec(command);
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
}
