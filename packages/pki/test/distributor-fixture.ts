// The fixture every distributor test file shares: a CA with frontend and redis certificates, two
// real sshd servers (A and B) trusting the client key, a known_hosts file, an in-memory tracer
// and a fresh case directory per test, plus the topology builders and assertions on the result.
// Importing it registers the hooks; the `let` bindings are set by them (read them inside tests).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { keygen, type RunningSshd, startSshd } from '@autobot/test-kit';
import type { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { initCa, issueCertificate, loadCa, parseTopology, TMP_PREFIX, type Topology } from '../src/index.js';
import { setupTracing } from './helpers.js';

export const run = promisify(execFile);
export const user = userInfo().username;
export const isRoot = process.getuid?.() === 0;

export let root: string;
export let pkiDir: string;
export let clientKey: { path: string; pub: string };
export let otherKey: { path: string; pub: string };
export let sshdA: RunningSshd;
export let sshdB: RunningSshd;
export let knownHosts: string;
export const stops: Array<() => Promise<unknown>> = [];

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

export let exporter: InMemorySpanExporter;
export let teardownTracing: () => Promise<void>;
export let caseDir: string;
export let caseNo = 0;

beforeEach(async () => {
  ({ exporter, teardown: teardownTracing } = setupTracing());
  caseDir = join(root, `case-${++caseNo}`);
  await mkdir(caseDir);
});
afterEach(async () => {
  await teardownTracing();
});

export interface VmSpec {
  port: number;
  remoteDir?: string;
  reloadCommand?: string;
}

export function topology(
  vms: { frontend?: VmSpec; redis?: VmSpec },
  ssh: Record<string, unknown> = {},
): Topology {
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
export function collectorTopology(collector: Record<string, unknown>): Topology {
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

export const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
export const vmSpans = () =>
  exporter.getFinishedSpans().filter((s) => s.name === 'ssh.distribute_certificates');
export const spanFor = (vm: string): ReadableSpan => {
  const span = vmSpans().find((s) => s.attributes['ssh.target_vm'] === vm);
  if (!span) throw new Error(`no span for ${vm}`);
  return span;
};

export async function expectDelivered(name: 'frontend' | 'redis', dir: string): Promise<void> {
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

export async function expectNothingFinal(dir: string): Promise<void> {
  const files = await readdir(dir).catch(() => [] as string[]);
  for (const name of ['ca.crt', 'server.crt', 'server.key']) expect(files).not.toContain(name);
}

export function expectFailedSpan(vm: string, errorType: string, port: number): void {
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
