import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keygen, startSshd } from '@autobot/test-kit';
import { describe, expect, it } from 'vitest';
import { distributeCertificates, initCa, issueCertificate, parseTopology } from '../src/index.js';
import {
  caseDir,
  clientKey,
  collectorTopology,
  expectDelivered,
  exporter,
  knownHosts,
  pkiDir,
  sha,
  spanFor,
  sshdA,
  sshdB,
  topology,
  user,
  vmSpans,
} from './distributor-fixture.js';

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
