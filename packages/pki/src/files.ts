import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** File mode for private keys: owner read/write only. */
export const KEY_FILE_MODE = 0o600;
/** File mode for certificates: world-readable. */
export const CERT_FILE_MODE = 0o644;

/**
 * Writes `data` to `path` atomically with exactly `mode`: the bytes go to a temporary sibling
 * created with `mode` (so a key is never readable by others, even briefly), are fsynced, then
 * renamed over `path`. A failure leaves any previous file at `path` untouched.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    // The umask may have cleared bits of `mode` at creation; set it exactly.
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true }).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => {});
    throw error;
  }
  await chmod(path, mode);
}
