import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);
/** Path of the OpenSSH server binary (Debian's `openssh-server`). */
export const SSHD = '/usr/sbin/sshd';

/** Generates an ed25519 key pair with ssh-keygen; returns the private key path and public key line. */
export async function keygen(path: string, passphrase = ''): Promise<{ path: string; pub: string }> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'autobot-test', '-f', path]);
  return { path, pub: (await readFile(`${path}.pub`, 'utf8')).trim() };
}

/** A running sshd from {@link startSshd}. */
export interface RunningSshd {
  readonly port: number;
  /** Public host key line: `ssh-ed25519 AAAA… comment`. */
  readonly hostKeyPub: string;
  /** known_hosts line for this server. */
  readonly knownHostsLine: string;
  /** SIGTERM, SIGKILL after 3 s; resolves once it exited. */
  stop(): Promise<void>;
}

/**
 * Starts a real OpenSSH sshd on a free 127.0.0.1 port with a throwaway host key and the given
 * authorized key. `wrapper` (e.g. `['prlimit', '--fsize=600', '--']`) prefixes the command.
 */
export async function startSshd(
  dir: string,
  authorizedKey: string,
  wrapper: string[] = [],
): Promise<RunningSshd> {
  // Privilege separation needs its empty chroot directory when sshd runs as root.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = await keygen(join(dir, 'ssh_host_ed25519_key'));
  await writeFile(join(dir, 'authorized_keys'), `${authorizedKey}\n`, { mode: 0o600 });
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    await writeFile(
      config,
      [
        'ListenAddress 127.0.0.1',
        `Port ${port}`,
        `HostKey ${hostKey.path}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin prohibit-password',
        'Subsystem sftp /usr/lib/openssh/sftp-server',
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    const [cmd, ...args] = [...wrapper, SSHD, '-D', '-e', '-f', config];
    const child = spawn(cmd as string, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const up = await waitForBanner(port, child);
    if (up) {
      const [type, b64] = hostKey.pub.split(' ');
      return {
        port,
        hostKeyPub: hostKey.pub,
        knownHostsLine: `[127.0.0.1]:${port} ${type} ${b64}`,
        stop: () => stopChild(child),
      };
    }
    await stopChild(child);
    if (!/Address already in use|Cannot bind/i.test(stderr)) throw new Error(`sshd did not start: ${stderr}`);
  }
  throw new Error('sshd did not start: no free port after 5 attempts');
}

async function waitForBanner(port: number, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    const banner = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      socket.setTimeout(1000, () => socket.destroy());
      socket.on('data', (d) => {
        data += d.toString();
        if (data.includes('\n')) socket.destroy();
      });
      socket.on('error', () => resolve(''));
      socket.on('close', () => resolve(data));
    });
    if (banner.startsWith('SSH-2.0-')) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
