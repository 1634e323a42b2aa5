import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, keygen, type RunningSshd, startSshd } from '@autobot/test-kit';
import type { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  distributeCertificates,
  initCa,
  issueCertificate,
  loadCa,
  parseTopology,
  TMP_PREFIX,
  type Topology,
} from '../src/index.js';
import { setupTracing } from './helpers.js';

const run = promisify(execFile);
const user = userInfo().username;
const isRoot = process.getuid?.() === 0;

let root: string;
let pkiDir: string;
let clientKey: { path: string; pub: string };
let otherKey: { path: string; pub: string };
let sshdA: RunningSshd;
let sshdB: RunningSshd;
let knownHosts: string;
const stops: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pki-dist-'));
  stops.push(() => rm(root, { recursive: true, force: true }));
  pkiDir = join(root, 'pki');
  await initCa({ dir: pkiDir });
  const ca = await loadCa(pkiDir);
  await issueCertificate(ca, { name: 'frontend', dnsNames: ['frontend'], ipAddresses: ['127.0.0.1'] });
  await issueCertificate(ca, { name: 'redis', dnsNames: ['redis'], ipAddresses: ['127.0.0.1'] });
  await mkdir(join(root, 'keys'));
  clientKey = await keygen(join(root, 'keys', 'client'));
  otherKey = await keygen(join(root, 'keys', 'other'));
  await mkdir(join(root, 'sshd-a'));
  await mkdir(join(root, 'sshd-b'));
  sshdA = await startSshd(join(root, 'sshd-a'), clientKey.pub);
  stops.unshift(() => sshdA.stop());
  sshdB = await startSshd(join(root, 'sshd-b'), clientKey.pub);
  stops.unshift(() => sshdB.stop());
  knownHosts = join(root, 'known_hosts');
  await writeFile(knownHosts, `${sshdA.knownHostsLine}\n${sshdB.knownHostsLine}\n`);
});

afterAll(async () => {
  for (const stop of stops) await stop().catch(() => {});
});

let exporter: InMemorySpanExporter;
let teardownTracing: () => Promise<void>;
let caseDir: string;
let caseNo = 0;

beforeEach(async () => {
  ({ exporter, teardown: teardownTracing } = setupTracing());
  caseDir = join(root, `case-${++caseNo}`);
  await mkdir(caseDir);
});
afterEach(async () => {
  await teardownTracing();
});

interface VmSpec {
  port: number;
  remoteDir?: string;
  reloadCommand?: string;
}

function topology(vms: { frontend?: VmSpec; redis?: VmSpec }, ssh: Record<string, unknown> = {}): Topology {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(vms)) {
    out[name] = {
      address: '127.0.0.1',
      port: spec.port,
      remoteDir: spec.remoteDir ?? join(caseDir, name, 'tls'),
      ...(spec.reloadCommand ? { reloadCommand: spec.reloadCommand } : {}),
    };
  }
  return parseTopology({
    defaults: { user },
    vms: out,
    ssh: {
      privateKeyPath: clientKey.path,
      knownHostsPath: knownHosts,
      connectTimeoutMs: 3000,
      operationTimeoutMs: 5000,
      ...ssh,
    },
  });
}

/** frontend on sshd A, redis on sshd B, with the collector placed as given. */
function collectorTopology(collector: Record<string, unknown>): Topology {
  return parseTopology({
    defaults: { user },
    vms: {
      frontend: { address: '127.0.0.1', port: sshdA.port, remoteDir: join(caseDir, 'frontend', 'tls') },
      redis: { address: '127.0.0.1', port: sshdB.port, remoteDir: join(caseDir, 'redis', 'tls') },
    },
    collector,
    ssh: { privateKeyPath: clientKey.path, knownHostsPath: knownHosts },
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const vmSpans = () => exporter.getFinishedSpans().filter((s) => s.name === 'ssh.distribute_certificates');
const spanFor = (vm: string): ReadableSpan => {
  const span = vmSpans().find((s) => s.attributes['ssh.target_vm'] === vm);
  if (!span) throw new Error(`no span for ${vm}`);
  return span;
};

async function expectDelivered(name: 'frontend' | 'redis', dir: string): Promise<void> {
  const expected: Array<[string, string, number]> = [
    ['ca.crt', join(pkiDir, 'ca', 'ca.crt'), 0o644],
    ['server.crt', join(pkiDir, 'certs', name, 'server.crt'), 0o644],
    ['server.key', join(pkiDir, 'certs', name, 'server.key'), 0o600],
  ];
  for (const [remote, local, mode] of expected) {
    expect(sha(await readFile(join(dir, remote)))).toBe(sha(await readFile(local)));
    expect((await stat(join(dir, remote))).mode & 0o777).toBe(mode);
  }
  expect((await readdir(dir)).filter((f) => f.startsWith(TMP_PREFIX))).toEqual([]);
}

async function expectNothingFinal(dir: string): Promise<void> {
  const files = await readdir(dir).catch(() => [] as string[]);
  for (const name of ['ca.crt', 'server.crt', 'server.key']) expect(files).not.toContain(name);
}

function expectFailedSpan(vm: string, errorType: string, port: number): void {
  const span = spanFor(vm);
  expect(span.attributes).toMatchObject({
    'ssh.target_vm': vm,
    'ssh.target_ip': '127.0.0.1',
    'ssh.user': user,
    'ssh.files_copied': 0,
    'pki.operation': 'distribute',
    'ssh.error_type': errorType,
  });
  expect(span.status.code).toBe(2);
  expect(span.events.some((e) => e.name === 'exception')).toBe(true);
  expect(typeof span.attributes['error.type']).toBe('string');
  void port;
}

describe('distributeCertificates against real sshd', () => {
  it('ten fresh runs, five VMs under one new parent directory, default concurrency: all succeed', {
    timeout: 180_000,
  }, async () => {
    // The README's local topology puts every VM under one parent (vms/<name>/tls); parallel
    // sessions then race to create the same parents, and an existing directory is not an error.
    const ownPki = join(caseDir, 'pki'); // the shared pkiDir must keep VMs without certificates
    const ca = await initCa({ dir: ownPki });
    const names = ['frontend', 'npu-worker', 'redis', 'ai-stack', 'browser'];
    for (const name of names)
      await issueCertificate(ca, { name, dnsNames: [name], ipAddresses: ['127.0.0.1'] });
    const failures: string[] = [];
    for (let runNo = 0; runNo < 10; runNo++) {
      const parent = join(caseDir, `run-${runNo}`, 'var', 'lib', 'autobot', 'vms');
      const topo = parseTopology({
        defaults: { user },
        vms: Object.fromEntries(
          names.map((name, i) => [
            name,
            {
              address: '127.0.0.1',
              port: (i % 2 ? sshdB : sshdA).port,
              remoteDir: join(parent, name, 'tls'),
            },
          ]),
        ),
        ssh: { privateKeyPath: clientKey.path, knownHostsPath: knownHosts },
      });
      expect(topo.ssh.concurrency).toBeGreaterThan(1); // the default, not a serialised run
      const result = await distributeCertificates({ topology: topo, pkiDir: ownPki });
      for (const r of result.results) {
        if (r.status !== 'ok') failures.push(`run ${runNo} ${r.vm}: ${r.errorType} ${r.message}`);
      }
    }
    expect(failures).toEqual([]);
    for (const name of names) {
      const dir = join(caseDir, 'run-9', 'var', 'lib', 'autobot', 'vms', name, 'tls');
      expect((await readdir(dir)).sort()).toEqual(['ca.crt', 'server.crt', 'server.key']);
    }
  });

  it('delivers to two VMs with right content and modes, runs the reload command, traces every attribute', async () => {
    const marker = join(caseDir, 'reloaded');
    const topo = topology({
      frontend: { port: sshdA.port, reloadCommand: `touch ${marker}` },
      redis: { port: sshdB.port },
    });
    const result = await distributeCertificates({ topology: topo, pkiDir });
    expect(result.failed).toBe(0);
    expect(result.results.map((r) => [r.vm, r.status, r.filesCopied])).toEqual([
      ['frontend', 'ok', 3],
      ['redis', 'ok', 3],
    ]);
    await expectDelivered('frontend', join(caseDir, 'frontend', 'tls'));
    await expectDelivered('redis', join(caseDir, 'redis', 'tls'));
    await expect(stat(marker)).resolves.toBeDefined();
    expect(result.results[0]?.reloaded).toBe(true);

    const spans = vmSpans();
    expect(spans).toHaveLength(2);
    for (const vm of ['frontend', 'redis']) {
      expect(spanFor(vm).attributes).toEqual({
        'ssh.target_vm': vm,
        'ssh.target_ip': '127.0.0.1',
        'ssh.user': user,
        'ssh.files_copied': 3,
        'pki.operation': 'distribute',
        'pki.files': ['ca.crt', 'server.crt', 'server.key'],
      });
      expect(spanFor(vm).status.code).toBe(0);
    }
    const parent = exporter.getFinishedSpans().find((s) => s.name === 'pki.distribute_certificates');
    expect(parent?.spanContext().traceId).toBe(result.traceId);
    for (const span of spans) expect(span.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(parent?.attributes).toMatchObject({ 'pki.targets_total': 2, 'pki.targets_failed': 0 });
    expect(parent?.events.filter((e) => e.name === 'pki.target_result')).toHaveLength(2);

    // no key material anywhere in the trace
    const keyLine = (await readFile(join(pkiDir, 'certs', 'redis', 'server.key'), 'utf8')).split(
      '\n',
    )[1] as string;
    const clientKeyLine = (await readFile(clientKey.path, 'utf8')).split('\n')[1] as string;
    const dump = JSON.stringify(exporter.getFinishedSpans().map((s) => [s.attributes, s.events, s.status]));
    expect(dump).not.toContain(keyLine);
    expect(dump).not.toContain(clientKeyLine);
    expect(dump).not.toContain('PRIVATE KEY');

    // a second run replaces the files atomically (posix-rename over existing files)
    const again = await distributeCertificates({ topology: topo, pkiDir });
    expect(again.failed).toBe(0);
    await expectDelivered('frontend', join(caseDir, 'frontend', 'tls'));
  });

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

  it('passphrase-protected key works; a wrong passphrase is local_key_error; neither reaches a span', async () => {
    const passphrase = 'correct horse battery staple';
    const protectedKey = await keygen(join(caseDir, 'protected'), passphrase);
    const dir = join(caseDir, 'pp-sshd');
    await mkdir(dir);
    const sshdP = await startSshd(dir, protectedKey.pub);
    try {
      await writeFile(knownHosts, `${sshdP.knownHostsLine}\n`, { flag: 'a' });
      const topo = topology({ frontend: { port: sshdP.port } }, { privateKeyPath: protectedKey.path });
      const good = await distributeCertificates({ topology: topo, pkiDir, passphrase });
      expect(good.failed).toBe(0);
      const bad = await distributeCertificates({ topology: topo, pkiDir, passphrase: 'wrong guess' });
      expect(bad.results[0]?.errorType).toBe('local_key_error');
      const dump = JSON.stringify(exporter.getFinishedSpans().map((s) => [s.attributes, s.events, s.status]));
      expect(dump).not.toContain(passphrase);
      expect(dump).not.toContain('wrong guess');
      expect(dump).toContain('local_key_error');
    } finally {
      await sshdP.stop();
    }
  });

  it('an unreadable key file is local_key_error; its path reaches no span', async () => {
    const keyPath = join(caseDir, 'secret-key-dir-7f3a', 'id_ed25519');
    const topo = topology({ frontend: { port: sshdA.port } }, { privateKeyPath: keyPath });
    const result = await distributeCertificates({ topology: topo, pkiDir });
    expect(result.results[0]?.errorType).toBe('local_key_error');
    expect(result.results[0]?.message).toMatch(/cannot read the SSH private key file .*ENOENT/);
    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThan(0);
    const dump = JSON.stringify(spans.map((s) => [s.attributes, s.events, s.status, s.resource.attributes]));
    expect(dump).toContain('local_key_error');
    expect(dump).not.toContain('secret-key-dir-7f3a');
  });

  it('respects the concurrency limit and the VM filter; dry run connects to nothing', async () => {
    const topo = topology({ frontend: { port: sshdA.port }, redis: { port: sshdB.port } });
    const only = await distributeCertificates({ topology: topo, pkiDir, vms: ['redis'], concurrency: 1 });
    expect(only.results.map((r) => r.vm)).toEqual(['redis']);
    exporter.reset();
    const dry = await distributeCertificates({ topology: topo, pkiDir, dryRun: true });
    expect(dry.results.map((r) => r.status)).toEqual(['planned', 'planned']);
    expect(vmSpans()).toHaveLength(0);
    await expect(distributeCertificates({ topology: topo, pkiDir, vms: ['nope'] })).rejects.toMatchObject({
      code: 'AUTOBOT_ERR_PKI_INVALID_OPTION',
    });
  });

  it("with the collector placed: its TLS pair to the collector's VM, client pairs to every VM, keys 0600, no key in the trace", async () => {
    const ownPki = join(caseDir, 'pki');
    const ca = await initCa({ dir: ownPki });
    for (const name of ['frontend', 'redis']) {
      await issueCertificate(ca, { name, dnsNames: [name], ipAddresses: ['127.0.0.1'] });
      await issueCertificate(ca, { name, profile: 'client' });
    }
    await issueCertificate(ca, { name: 'collector', dnsNames: ['collector'], ipAddresses: ['127.0.0.1'] });
    const topo = collectorTopology({ vm: 'redis' });
    const result = await distributeCertificates({ topology: topo, pkiDir: ownPki });
    expect(result.results.map((r) => [r.vm, r.status, r.filesCopied])).toEqual([
      ['frontend', 'ok', 5],
      ['redis', 'ok', 7],
    ]);
    const expected: Array<[string, string, string, number]> = [
      ['frontend', 'client.crt', join(ownPki, 'certs', 'frontend', 'client.crt'), 0o644],
      ['frontend', 'client.key', join(ownPki, 'certs', 'frontend', 'client.key'), 0o600],
      ['redis', 'server.key', join(ownPki, 'certs', 'redis', 'server.key'), 0o600],
      ['redis', 'collector.crt', join(ownPki, 'certs', 'collector', 'server.crt'), 0o644],
      ['redis', 'collector.key', join(ownPki, 'certs', 'collector', 'server.key'), 0o600],
      ['redis', 'client.crt', join(ownPki, 'certs', 'redis', 'client.crt'), 0o644],
      ['redis', 'client.key', join(ownPki, 'certs', 'redis', 'client.key'), 0o600],
    ];
    for (const [vm, remote, local, mode] of expected) {
      const path = join(caseDir, vm, 'tls', remote);
      expect(sha(await readFile(path)), path).toBe(sha(await readFile(local)));
      expect((await stat(path)).mode & 0o777, path).toBe(mode);
    }
    expect((await readdir(join(caseDir, 'frontend', 'tls'))).sort()).toEqual([
      'ca.crt',
      'client.crt',
      'client.key',
      'server.crt',
      'server.key',
    ]);
    expect(spanFor('redis').attributes).toMatchObject({
      'ssh.files_copied': 7,
      'pki.files': [
        'ca.crt',
        'server.crt',
        'server.key',
        'collector.crt',
        'collector.key',
        'client.crt',
        'client.key',
      ],
    });
    const dump = JSON.stringify(exporter.getFinishedSpans().map((s) => [s.attributes, s.events, s.status]));
    for (const key of ['collector/server.key', 'redis/client.key', 'frontend/client.key']) {
      const keyLine = (await readFile(join(ownPki, 'certs', key), 'utf8')).split('\n')[1] as string;
      expect(dump).not.toContain(keyLine);
    }
    expect(dump).not.toContain('PRIVATE KEY');
  });

  it('with the collector placed, a missing collector or client pair fails that VM alone with cert_missing naming the issue command', async () => {
    const ownPki = join(caseDir, 'pki');
    const ca = await initCa({ dir: ownPki });
    for (const name of ['frontend', 'redis'])
      await issueCertificate(ca, { name, dnsNames: [name], ipAddresses: ['127.0.0.1'] });
    await issueCertificate(ca, { name: 'redis', profile: 'client' });
    const topo = collectorTopology({ vm: 'redis' });
    const dry = await distributeCertificates({ topology: topo, pkiDir: ownPki, dryRun: true });
    expect(dry.results.map((r) => [r.vm, r.errorType, r.message])).toEqual([
      [
        'frontend',
        'cert_missing',
        'no client certificate issued for frontend (run issue frontend --profile client)',
      ],
      ['redis', 'cert_missing', 'no collector certificate issued for redis (run issue collector)'],
    ]);
    // Without client certificates only the collector's VM gets more than the usual three files.
    await issueCertificate(ca, { name: 'collector', dnsNames: ['collector'] });
    const noClients = collectorTopology({ vm: 'redis', clientCertificates: false });
    const run = await distributeCertificates({ topology: noClients, pkiDir: ownPki });
    expect(run.results.map((r) => [r.vm, r.status, r.filesCopied])).toEqual([
      ['frontend', 'ok', 3],
      ['redis', 'ok', 5],
    ]);
  });

  it('a VM without an issued certificate fails alone with cert_missing', async () => {
    const topo = parseTopology({
      defaults: { user },
      vms: {
        redis: { address: '127.0.0.1', port: sshdB.port, remoteDir: join(caseDir, 'redis', 'tls') },
        browser: { address: '127.0.0.1', port: sshdA.port, remoteDir: join(caseDir, 'browser', 'tls') },
      },
      ssh: { privateKeyPath: clientKey.path, knownHostsPath: knownHosts },
    });
    const result = await distributeCertificates({ topology: topo, pkiDir });
    expect(result.results.map((r) => r.errorType ?? r.status)).toEqual(['ok', 'cert_missing']);
  });
});
