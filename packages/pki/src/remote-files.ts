import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { FileEntry, SFTPWrapper, Stats } from 'ssh2';
import { SshDistributionError, SshSftpError, SshVerifyError } from './errors.js';
import type { SshSession } from './ssh-session.js';

/** One file to place on a VM. */
export interface RemoteFile {
  /** File name inside the remote directory (`ca.crt`, `server.crt`, `server.key`). */
  readonly name: string;
  /** Content. For the key this is secret: it only ever travels inside the SFTP channel. */
  readonly data: Buffer;
  readonly mode: number;
}

/** A file staged under a temporary name, ready to be renamed into place. */
export interface StagedFile {
  readonly file: RemoteFile;
  readonly tmpPath: string;
  readonly finalPath: string;
}

/** Prefix of temporary upload names; leftovers from an interrupted run are removed by the next one. */
export const TMP_PREFIX = '.autobot-pki-';
const CHUNK_BYTES = 32 * 1024;

/** SHA-256 hex of a buffer. */
export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Creates `dir` and missing parents (mode 0755); an existing directory is left as is. */
export async function ensureRemoteDir(session: SshSession, dir: string): Promise<void> {
  const { sftp } = session;
  const parts = dir.split('/').filter(Boolean);
  let current = '';
  for (const part of parts) {
    current += `/${part}`;
    const path = current;
    const stats = await statOrUndefined(session, path);
    if (stats) {
      if (!stats.isDirectory()) throw new SshSftpError('sftp_error', `${path} exists and is not a directory`);
      continue;
    }
    try {
      await session.op<void>(`mkdir ${path}`, (cb) => sftp.mkdir(path, { mode: 0o755 }, cb));
    } catch (error) {
      // VMs that share a parent directory (several "VMs" on one host) are served by parallel
      // sessions that race to create it. SFTP has no "already exists" status — OpenSSH answers a
      // generic "Failure" — so look again: a directory that is there now is what we wanted.
      if ((await statOrUndefined(session, path).catch(() => undefined))?.isDirectory()) continue;
      throw error;
    }
  }
}

/** `stat`, or undefined when the path does not exist. */
function statOrUndefined(session: SshSession, path: string): Promise<Stats | undefined> {
  return session
    .op<Stats>(`stat ${path}`, (cb) => session.sftp.stat(path, cb))
    .catch((error: unknown) => {
      if (error instanceof SshDistributionError && error.errorType === 'remote_path_missing')
        return undefined;
      throw error;
    });
}

/** Removes temporary files a previous, interrupted run left in `dir` (best effort). */
export async function removeStaleTempFiles(session: SshSession, dir: string): Promise<number> {
  const { sftp } = session;
  let entries: FileEntry[];
  try {
    entries = await session.op<FileEntry[]>(`list ${dir}`, (cb) => sftp.readdir(dir, cb));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const entry of entries) {
    if (!entry.filename.startsWith(TMP_PREFIX) || !entry.filename.endsWith('.tmp')) continue;
    const path = posix.join(dir, entry.filename);
    try {
      await session.op<void>(`remove ${path}`, (cb) => sftp.unlink(path, cb));
      removed += 1;
    } catch {
      // leave it for the next run
    }
  }
  return removed;
}

/**
 * Uploads `file` to a fresh temporary name in `dir`, created with the file's mode (a key is never
 * readable by others, even while uploading), chmods it exactly, fsyncs it when the server supports
 * `fsync@openssh.com`. On failure the temporary file is removed (when the connection still allows)
 * and the error is rethrown, classified: a write failure on a full file system is `disk_full`.
 */
export async function stageFile(session: SshSession, dir: string, file: RemoteFile): Promise<StagedFile> {
  const { sftp } = session;
  const tmpPath = posix.join(dir, `${TMP_PREFIX}${randomBytes(6).toString('hex')}.${file.name}.tmp`);
  const finalPath = posix.join(dir, file.name);
  let created = false;
  try {
    const handle = await session.op<Buffer>(`create ${tmpPath}`, (cb) =>
      sftp.open(tmpPath, 'wx', { mode: file.mode }, cb),
    );
    created = true;
    try {
      for (let offset = 0; offset < file.data.length; offset += CHUNK_BYTES) {
        const length = Math.min(CHUNK_BYTES, file.data.length - offset);
        await session.op<void>(`write ${tmpPath}`, (cb) =>
          sftp.write(handle, file.data, offset, length, offset, cb),
        );
      }
      await session.op<void>(`chmod ${tmpPath}`, (cb) => sftp.fchmod(handle, file.mode, cb));
      await fsyncIfSupported(session, sftp, handle, tmpPath);
    } finally {
      await session.op<void>(`close ${tmpPath}`, (cb) => sftp.close(handle, cb)).catch(() => {});
    }
    return { file, tmpPath, finalPath };
  } catch (error) {
    const classified = await classifyWriteError(session, dir, error, file.data.length);
    if (created) await removeQuietly(session, tmpPath);
    throw classified;
  }
}

/**
 * Renames a staged file over its final name: `posix-rename@openssh.com` replaces atomically; servers
 * without it get remove-then-rename (a short window without the file, never a partial file).
 */
export async function commitFile(session: SshSession, staged: StagedFile): Promise<void> {
  const { sftp } = session;
  const { tmpPath, finalPath } = staged;
  try {
    await session.op<void>(`rename ${tmpPath} to ${finalPath}`, (cb) => {
      try {
        sftp.ext_openssh_rename(tmpPath, finalPath, cb);
      } catch {
        sftp.unlink(finalPath, () => sftp.rename(tmpPath, finalPath, cb));
      }
    });
  } catch (error) {
    await removeQuietly(session, tmpPath);
    throw error;
  }
}

/**
 * Reads `finalPath` back and compares its SHA-256 and mode with what was sent.
 * @throws SshVerifyError (`checksum_mismatch`) on any difference.
 */
export async function verifyFile(session: SshSession, staged: StagedFile): Promise<string> {
  const { sftp } = session;
  const { finalPath, file } = staged;
  const data = await session.op<Buffer>(`read back ${finalPath}`, (cb) => sftp.readFile(finalPath, cb));
  const expected = sha256(file.data);
  const actual = sha256(data);
  if (actual !== expected) {
    throw new SshVerifyError(
      'checksum_mismatch',
      `${finalPath}: SHA-256 read back differs from the file sent`,
    );
  }
  const stats = await session.op<Stats>(`stat ${finalPath}`, (cb) => sftp.stat(finalPath, cb));
  if ((stats.mode & 0o777) !== file.mode) {
    throw new SshVerifyError(
      'checksum_mismatch',
      `${finalPath}: mode is ${(stats.mode & 0o777).toString(8)}, expected ${file.mode.toString(8)}`,
    );
  }
  return actual;
}

/** Removes a temporary file, ignoring every failure (the next run cleans leftovers too). */
export async function removeQuietly(session: SshSession, path: string): Promise<void> {
  if (session.isClosed) return;
  const { sftp } = session;
  await session.op<void>(`remove ${path}`, (cb) => sftp.unlink(path, cb)).catch(() => {});
}

async function fsyncIfSupported(
  session: SshSession,
  sftp: SFTPWrapper,
  handle: Buffer,
  path: string,
): Promise<void> {
  await session.op<void>(`fsync ${path}`, (cb) => {
    try {
      sftp.ext_openssh_fsync(handle, cb);
    } catch {
      cb(null); // server without fsync@openssh.com: the close below still flushes to the kernel
    }
  });
}

async function classifyWriteError(
  session: SshSession,
  dir: string,
  error: unknown,
  bytesNeeded: number,
): Promise<unknown> {
  if (!(error instanceof SshDistributionError) || error.errorType !== 'sftp_error' || session.isClosed)
    return error;
  // SFTP v3 reports ENOSPC as a bare FAILURE; ask the server how much room is left to tell it apart.
  const { sftp } = session;
  try {
    const info = await session.op<{ f_bavail: number | bigint; f_frsize: number | bigint }>(
      `statvfs ${dir}`,
      (cb) => {
        try {
          sftp.ext_openssh_statvfs(dir, cb);
        } catch (unsupported) {
          cb(unsupported as Error);
        }
      },
    );
    const free = Number(info.f_bavail) * Number(info.f_frsize);
    if (free < Math.max(bytesNeeded, 4096)) {
      return new SshSftpError('disk_full', `no space left in ${dir} (${free} bytes free)`, { cause: error });
    }
  } catch {
    // statvfs unsupported or failed: keep the original classification
  }
  return error;
}
