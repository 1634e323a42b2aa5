import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { certificateSubjectFor, loadTopology, parseTopology, TopologyError } from '../src/index.js';

const examples = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'examples');

type Mut = {
  defaults?: Record<string, unknown>;
  vms: { frontend: Record<string, unknown> } & Record<string, unknown>;
  ssh?: Record<string, unknown>;
};

const minimal = (): Mut => ({
  defaults: { user: 'autobot' },
  vms: { frontend: { address: '172.16.168.21' } },
});

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TopologyError);
    expect((error as TopologyError).code).toBe('AUTOBOT_ERR_PKI_TOPOLOGY_INVALID');
    return (error as TopologyError).field;
  }
  throw new Error('expected a TopologyError');
}

describe('parseTopology', () => {
  it('applies defaults and derives SANs from the address', () => {
    const topo = parseTopology(minimal());
    const vm = topo.vms.get('frontend');
    expect(vm).toEqual({
      name: 'frontend',
      address: '172.16.168.21',
      port: 22,
      user: 'autobot',
      remoteDir: '/etc/autobot/tls',
      dnsNames: ['frontend'],
      ipAddresses: ['172.16.168.21'],
    });
    expect(topo.ssh).toMatchObject({ concurrency: 4, trustOnFirstUse: false, connectTimeoutMs: 10_000 });
    expect(Object.isFrozen(vm)).toBe(true);
  });

  it.each([
    ['unknown VM name', (t: Mut) => (t.vms.mailserver = { address: '10.0.0.1' }), 'vms.mailserver'],
    ['invalid IPv4', (t: Mut) => (t.vms.frontend.address = '172.16.168.300'), 'vms.frontend.address'],
    ['bad host name', (t: Mut) => (t.vms.frontend.address = 'no spaces allowed'), 'vms.frontend.address'],
    ['missing address', (t: Mut) => delete t.vms.frontend.address, 'vms.frontend.address'],
    ['missing user', (t: Mut) => delete t.defaults, 'vms.frontend.user'],
    ['bad user', (t: Mut) => (t.vms.frontend.user = 'root; rm -rf'), 'vms.frontend.user'],
    ['port out of range', (t: Mut) => (t.vms.frontend.port = 70000), 'vms.frontend.port'],
    ['relative remoteDir', (t: Mut) => (t.vms.frontend.remoteDir = 'tls'), 'vms.frontend.remoteDir'],
    ['typo in a field', (t: Mut) => (t.vms.frontend.adress = 'x'), 'vms.frontend.adress'],
    ['bad SAN IP', (t: Mut) => (t.vms.frontend.ipAddresses = ['1.2.3']), 'vms.frontend.ipAddresses[0]'],
    ['bad concurrency', (t: Mut) => (t.ssh = { concurrency: 0 }), 'ssh.concurrency'],
    ['tofu not boolean', (t: Mut) => (t.ssh = { trustOnFirstUse: 'yes' }), 'ssh.trustOnFirstUse'],
    ['empty vms', (t: Mut) => (t.vms = {}), 'vms'],
  ])('refuses %s naming the field', (_label, mutate, field) => {
    const topo = minimal();
    mutate(topo);
    expect(fieldOf(() => parseTopology(topo))).toBe(field);
  });

  it('places the collector on a VM of the topology; client certificates default to on', () => {
    const topo = parseTopology({ ...minimal(), collector: { vm: 'frontend' } });
    expect(topo.collector).toEqual({ vm: 'frontend', clientCertificates: true });
    expect(certificateSubjectFor(topo, 'collector')).toEqual({
      dnsNames: ['collector', 'frontend'],
      ipAddresses: ['172.16.168.21'],
    });
    expect(parseTopology(minimal()).collector).toBeUndefined();
    expect(() => certificateSubjectFor(parseTopology(minimal()), 'collector')).toThrow(TopologyError);
    expect(fieldOf(() => parseTopology({ ...minimal(), collector: { vm: 'redis' } }))).toBe('collector.vm');
    expect(fieldOf(() => parseTopology({ ...minimal(), collector: { vm: 'frontend', tls: 1 } }))).toBe(
      'collector.tls',
    );
    expect(
      fieldOf(() =>
        parseTopology({ ...minimal(), collector: { vm: 'frontend', clientCertificates: 'yes' } }),
      ),
    ).toBe('collector.clientCertificates');
  });

  it('refuses a non-object', () => {
    expect(fieldOf(() => parseTopology([]))).toBe('(root)');
    expect(fieldOf(() => parseTopology({ vms: 3 }))).toBe('vms');
  });

  it('certificateSubjectFor knows the VMs and the main host, refuses others', () => {
    const topo = parseTopology({ ...minimal(), mainHost: { address: '172.16.168.20' } });
    expect(certificateSubjectFor(topo, 'backend').ipAddresses).toEqual(['172.16.168.20']);
    expect(certificateSubjectFor(topo, 'frontend').dnsNames).toEqual(['frontend']);
    expect(() => certificateSubjectFor(topo, 'redis')).toThrow(TopologyError);
  });
});

describe('loadTopology', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pki-topo-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the shipped 172.16.168.x example with all five VMs and the main host', async () => {
    const topo = await loadTopology(join(examples, 'topology.json'));
    expect([...topo.vms.keys()].sort()).toEqual(['ai-stack', 'browser', 'frontend', 'npu-worker', 'redis']);
    expect(topo.vms.get('frontend')?.address).toBe('172.16.168.21');
    expect(topo.vms.get('redis')?.address).toBe('172.16.168.23');
    expect(topo.mainHost?.address).toBe('172.16.168.20');
    expect(topo.collector).toEqual({ vm: 'redis', clientCertificates: true });
    expect(topo.ssh.privateKeyPath).toBe(join(homedir(), '.ssh/autobot_pki_ed25519'));
  });

  it('loads the loopback example', async () => {
    const topo = await loadTopology(join(examples, 'topology.local.json'));
    expect([...topo.vms.values()].every((vm) => vm.address === '127.0.0.1')).toBe(true);
  });

  it('resolves relative key paths against the file and reports bad JSON', async () => {
    const file = join(dir, 'topo.json');
    await writeFile(file, JSON.stringify({ ...minimal(), ssh: { privateKeyPath: 'keys/id' } }));
    expect((await loadTopology(file)).ssh.privateKeyPath).toBe(join(dir, 'keys/id'));
    await writeFile(file, '{ "vms": ');
    await expect(loadTopology(file)).rejects.toMatchObject({ field: '(file)' });
    await expect(loadTopology(join(dir, 'missing.json'))).rejects.toMatchObject({ field: '(file)' });
  });
});
