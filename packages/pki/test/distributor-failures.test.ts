// Failure modes of distributeCertificates against real sshd: authentication, host keys, the
// network, and the remote side (permissions, a full disk, a broken upload). Successful
// deliveries and local-key failures are in distributor.test.ts; the shared sshd fixture is
// distributor-fixture.ts.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, startSshd } from '@autobot/test-kit';
import { describe, expect, it } from 'vitest';
import { distributeCertificates } from '../src/index.js';
import {
  caseDir,
  clientKey,
  expectDelivered,
  expectFailedSpan,
  expectNothingFinal,
  isRoot,
  knownHosts,
  otherKey,
  pkiDir,
  run,
  sshdA,
  sshdB,
  topology,
} from './distributor-fixture.js';

describe('distributeCertificates against real sshd: failure modes', () => {
  it('wrong key: auth_failed, the other VM still completes', async () => {
    const dir = join(caseDir, 'b-sshd');
    await mkdir(dir);
    const sshdOther = await startSshd(dir, otherKey.pub);
    try {
      await writeFile(knownHosts, `${sshdOther.knownHostsLine}\n`, { flag: 'a' });
      const topo = topology({ frontend: { port: sshdOther.port }, redis: { port: sshdB.port } });
      const result = await distributeCertificates({ topology: topo, pkiDir });
      expect(result.failed).toBe(1);
      expect(result.results[0]).toMatchObject({ vm: 'frontend', status: 'failed', errorType: 'auth_failed' });
      expectFailedSpan('frontend', 'auth_failed', sshdOther.port);
      await expectNothingFinal(join(caseDir, 'frontend', 'tls'));
      await expectDelivered('redis', join(caseDir, 'redis', 'tls'));
    } finally {
      await sshdOther.stop();
    }
  });

  it('unknown host key: host_key_unknown; trust-on-first-use records it and proceeds', async () => {
    const partial = join(caseDir, 'known_hosts');
    await writeFile(partial, `${sshdB.knownHostsLine}\n`);
    const topo = topology(
      { frontend: { port: sshdA.port }, redis: { port: sshdB.port } },
      { knownHostsPath: partial },
    );
    const result = await distributeCertificates({ topology: topo, pkiDir });
    expect(result.results.map((r) => r.errorType ?? r.status)).toEqual(['host_key_unknown', 'ok']);
    expectFailedSpan('frontend', 'host_key_unknown', sshdA.port);
    expect(result.results[0]?.message).toContain('not in');
    await expectNothingFinal(join(caseDir, 'frontend', 'tls'));
    await expectDelivered('redis', join(caseDir, 'redis', 'tls'));

    const tofu = await distributeCertificates({ topology: topo, pkiDir, trustOnFirstUse: true });
    expect(tofu.failed).toBe(0);
    expect(await readFile(partial, 'utf8')).toContain(`[127.0.0.1]:${sshdA.port} ssh-ed25519 `);
    await expectDelivered('frontend', join(caseDir, 'frontend', 'tls'));
  });

  it('changed host key: host_key_mismatch even with trust-on-first-use', async () => {
    const wrong = join(caseDir, 'known_hosts');
    const [type, b64] = otherKey.pub.split(' ');
    await writeFile(wrong, `[127.0.0.1]:${sshdA.port} ${type} ${b64}\n${sshdB.knownHostsLine}\n`);
    const topo = topology(
      { frontend: { port: sshdA.port }, redis: { port: sshdB.port } },
      { knownHostsPath: wrong, trustOnFirstUse: true },
    );
    const result = await distributeCertificates({ topology: topo, pkiDir });
    expect(result.results.map((r) => r.errorType ?? r.status)).toEqual(['host_key_mismatch', 'ok']);
    expectFailedSpan('frontend', 'host_key_mismatch', sshdA.port);
    await expectNothingFinal(join(caseDir, 'frontend', 'tls'));
  });

  it('connection refused: connection_refused', async () => {
    const closedPort = await freePort();
    const topo = topology({ frontend: { port: closedPort }, redis: { port: sshdB.port } });
    const result = await distributeCertificates({ topology: topo, pkiDir });
    expect(result.results.map((r) => r.errorType ?? r.status)).toEqual(['connection_refused', 'ok']);
    expectFailedSpan('frontend', 'connection_refused', closedPort);
  });

  it('server that never answers: timeout within the connect timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as { port: number };
      const topo = topology({ frontend: { port }, redis: { port: sshdB.port } }, { connectTimeoutMs: 800 });
      const started = Date.now();
      const result = await distributeCertificates({ topology: topo, pkiDir });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(result.results.map((r) => r.errorType ?? r.status)).toEqual(['timeout', 'ok']);
      expectFailedSpan('frontend', 'timeout', port);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('remote directory not writable: permission_denied, nothing under the final names', async () => {
    const dir = join(caseDir, 'frontend', 'tls');
    await mkdir(dir, { recursive: true });
    // root ignores mode bits; the immutable attribute stops it too
    if (isRoot) await run('chattr', ['+i', dir]);
    else await run('chmod', ['0555', dir]);
    try {
      const topo = topology({ frontend: { port: sshdA.port }, redis: { port: sshdB.port } });
      const result = await distributeCertificates({ topology: topo, pkiDir });
      expect(result.results.map((r) => r.errorType ?? r.status)).toEqual(['permission_denied', 'ok']);
      expectFailedSpan('frontend', 'permission_denied', sshdA.port);
      expect(await readdir(dir)).toEqual([]);
      await expectDelivered('redis', join(caseDir, 'redis', 'tls'));
    } finally {
      if (isRoot) await run('chattr', ['-i', dir]);
      else await run('chmod', ['0755', dir]);
    }
  });

  it('disk full mid-upload: disk_full, staged files removed, nothing under the final names', async (ctx) => {
    const mount = join(caseDir, 'frontend');
    await mkdir(mount);
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount]);
    } catch {
      ctx.skip(); // needs root with CAP_SYS_ADMIN (a tmpfs is the only honest way to fill a disk here)
      return;
    }
    try {
      const dir = join(mount, 'tls');
      await mkdir(dir);
      // Fill the file system, then give back one page: ca.crt stages, server.crt hits ENOSPC.
      await run('sh', ['-c', `dd if=/dev/zero of=${join(mount, 'filler')} bs=4096 2>/dev/null; true`]);
      await run('truncate', ['-s', '-4096', join(mount, 'filler')]);
      const topo = topology({ frontend: { port: sshdA.port }, redis: { port: sshdB.port } });
      const result = await distributeCertificates({ topology: topo, pkiDir });
      expect(result.results.map((r) => r.errorType ?? r.status)).toEqual(['disk_full', 'ok']);
      expectFailedSpan('frontend', 'disk_full', sshdA.port);
      expect(await readdir(dir)).toEqual([]);
      await expectDelivered('redis', join(caseDir, 'redis', 'tls'));
    } finally {
      await run('umount', [mount]).catch(() => run('umount', ['-l', mount]));
    }
  });

  it('error mid-upload (file size limit on the server): sftp_error, no half-written file under a final name', async () => {
    const dir = join(caseDir, 'limited-sshd');
    await mkdir(dir);
    // sftp-server inherits RLIMIT_FSIZE: writes stop after 300 bytes, in the middle of the first file
    const limited = await startSshd(dir, clientKey.pub, ['prlimit', '--fsize=300', '--']);
    try {
      await writeFile(knownHosts, `${limited.knownHostsLine}\n`, { flag: 'a' });
      const topo = topology({ frontend: { port: limited.port }, redis: { port: sshdB.port } });
      const result = await distributeCertificates({ topology: topo, pkiDir });
      const frontend = result.results[0];
      expect(frontend?.status).toBe('failed');
      expect(['sftp_error', 'connection_lost']).toContain(frontend?.errorType);
      expectFailedSpan('frontend', frontend?.errorType as string, limited.port);
      await expectNothingFinal(join(caseDir, 'frontend', 'tls'));
      await expectDelivered('redis', join(caseDir, 'redis', 'tls'));
    } finally {
      await limited.stop();
    }
  });
});
