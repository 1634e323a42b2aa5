import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One usable line of an OpenSSH known_hosts file. */
interface KnownHostEntry {
  readonly patterns: readonly string[];
  readonly keyType: string;
  readonly key: Buffer;
  readonly revoked: boolean;
}

/** Outcome of looking a presented host key up. */
export type HostKeyVerdict = 'known' | 'unknown' | 'mismatch' | 'revoked';

/**
 * An OpenSSH known_hosts file: plain, wildcard (`*`, `?`), negated (`!`) and hashed (`|1|salt|hmac`)
 * host patterns, `[host]:port` for non-22 ports, `@revoked` markers. `@cert-authority` lines are
 * ignored (host certificates are not supported), as are comments and malformed lines.
 */
export class KnownHosts {
  private readonly entries: KnownHostEntry[];

  private constructor(
    readonly path: string | undefined,
    entries: KnownHostEntry[],
  ) {
    this.entries = entries;
  }

  /** Parses known_hosts text. */
  static parse(text: string, path?: string): KnownHosts {
    const entries: KnownHostEntry[] = [];
    for (const rawLine of text.split('\n')) {
      const line = rawLine.trim();
      if (line === '' || line.startsWith('#')) continue;
      const fields = line.split(/\s+/);
      let revoked = false;
      if (fields[0]?.startsWith('@')) {
        const marker = fields.shift();
        if (marker === '@cert-authority') continue;
        if (marker !== '@revoked') continue;
        revoked = true;
      }
      const [hosts, keyType, keyB64] = fields;
      if (!hosts || !keyType || !keyB64) continue;
      const key = Buffer.from(keyB64, 'base64');
      if (key.length === 0) continue;
      entries.push({ patterns: hosts.split(','), keyType, key, revoked });
    }
    return new KnownHosts(path, entries);
  }

  /** Reads a known_hosts file; a missing file is an empty one. */
  static async load(path: string): Promise<KnownHosts> {
    try {
      return KnownHosts.parse(await readFile(path, 'utf8'), path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new KnownHosts(path, []);
      throw error;
    }
  }

  /** Key types recorded for `host:port` (to prefer them in the SSH handshake, as OpenSSH does). */
  keyTypesFor(host: string, port: number): string[] {
    const name = hostEntryName(host, port);
    return [
      ...new Set(this.entries.filter((e) => !e.revoked && matches(e.patterns, name)).map((e) => e.keyType)),
    ];
  }

  /**
   * Checks the host key blob (SSH wire format, as the server sent it) for `host:port`:
   * `known` when an entry of the same key type holds this key; `mismatch` when entries of this key
   * type exist but none holds it; `revoked` for a key under `@revoked`; otherwise `unknown`.
   */
  verify(host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
    const name = hostEntryName(host, port);
    const keyType = keyTypeOf(keyBlob);
    if (this.entries.some((e) => e.revoked && equal(e.key, keyBlob))) return 'revoked';
    const sameType = this.entries.filter(
      (e) => !e.revoked && e.keyType === keyType && matches(e.patterns, name),
    );
    if (sameType.length === 0) return 'unknown';
    return sameType.some((e) => equal(e.key, keyBlob)) ? 'known' : 'mismatch';
  }

  /** Appends `host:port key` (trust on first use) to the file and to this instance. */
  async add(host: string, port: number, keyBlob: Buffer): Promise<void> {
    const keyType = keyTypeOf(keyBlob);
    const entry: KnownHostEntry = {
      patterns: [hostEntryName(host, port)],
      keyType,
      key: keyBlob,
      revoked: false,
    };
    this.entries.push(entry);
    if (!this.path) return;
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await appendFile(this.path, `${entry.patterns[0]} ${keyType} ${keyBlob.toString('base64')}\n`, {
      mode: 0o600,
    });
  }
}

/** The known_hosts spelling of a host: `host` on port 22, `[host]:port` otherwise. */
export function hostEntryName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, …) at the start of a key blob. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  if (len > 64 || blob.length < 4 + len) return 'unknown';
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** A hashed known_hosts pattern for `name` (as `ssh-keygen -H` writes it). */
export function hashHostName(name: string, salt: Buffer = randomBytes(20)): string {
  const mac = createHmac('sha1', salt).update(name).digest('base64');
  return `|1|${salt.toString('base64')}|${mac}`;
}

function matches(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('|1|')) {
      const [, , saltB64, macB64] = pattern.split('|');
      if (!saltB64 || !macB64) continue;
      const mac = createHmac('sha1', Buffer.from(saltB64, 'base64')).update(name).digest();
      if (equal(mac, Buffer.from(macB64, 'base64'))) matched = true;
      continue;
    }
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    if (wildcard(body, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function wildcard(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern.toLowerCase() === name.toLowerCase();
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
