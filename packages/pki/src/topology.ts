import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { TopologyError } from './errors.js';

/** The VMs of the AutoBot deployment (the spec's 6-VM layout; `backend` runs on the main host). */
export const VM_NAMES = ['frontend', 'npu-worker', 'redis', 'ai-stack', 'browser'] as const;
/** A VM name. */
export type VmName = (typeof VM_NAMES)[number];
/** Name of the main host service: certificates are issued for it but it is not an SSH target. */
export const MAIN_HOST_NAME = 'backend';

/** One SSH target VM, validated and with defaults applied. */
export interface VmTarget {
  readonly name: VmName;
  /** IP address or DNS host name SSH connects to (and `ssh.target_ip` records). */
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** Absolute POSIX directory on the VM receiving `ca.crt`, `server.crt`, `server.key`. */
  readonly remoteDir: string;
  /** Shell command run on the VM after the files are in place (e.g. `systemctl reload nginx`). */
  readonly reloadCommand?: string;
  /** DNS subjectAltNames of the VM's certificate. */
  readonly dnsNames: readonly string[];
  /** IP subjectAltNames of the VM's certificate. */
  readonly ipAddresses: readonly string[];
}

/** The main host (backend): certificate subject data only. */
export interface MainHost {
  readonly name: typeof MAIN_HOST_NAME;
  readonly address: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

/** SSH client settings shared by every target. */
export interface SshSettings {
  /** Private key used to authenticate (OpenSSH or PEM format). Relative paths resolve against the topology file. */
  readonly privateKeyPath?: string;
  /** Use the SSH agent at `$SSH_AUTH_SOCK` (tried alongside the private key). Default false. */
  readonly useAgent: boolean;
  /** OpenSSH known_hosts file host keys are verified against. Default `~/.ssh/known_hosts`. */
  readonly knownHostsPath?: string;
  /** Accept and record the key of a host absent from known_hosts. Default false. A changed key is always refused. */
  readonly trustOnFirstUse: boolean;
  /** TCP connect + SSH handshake + authentication timeout, ms. Default 10000. */
  readonly connectTimeoutMs: number;
  /** Timeout of each SFTP operation and of the reload command, ms. Default 15000. */
  readonly operationTimeoutMs: number;
  /** Targets handled at the same time. Default 4. */
  readonly concurrency: number;
}

/**
 * Where the trace collector runs, for the TLS material the distributor delivers: the collector's
 * server certificate (issued as {@link COLLECTOR_CERT_NAME}) to its VM, and each VM's client
 * certificate (mutual TLS towards the collector) to that VM.
 */
export interface CollectorPlacement {
  /** The VM running `autobot-trace serve`; it receives `collector.{crt,key}`. */
  readonly vm: VmName;
  /** Every VM also receives its `client.{crt,key}` (issued with `--profile client`). Default true. */
  readonly clientCertificates: boolean;
}

/** Certificate name of the collector's server certificate: `certs/collector/server.{crt,key}`. */
export const COLLECTOR_CERT_NAME = 'collector';

/** A validated topology. Frozen. */
export interface Topology {
  readonly mainHost?: MainHost;
  readonly vms: ReadonlyMap<VmName, VmTarget>;
  /** Absent: the distributor ships only `ca.crt` and each VM's `server.{crt,key}`. */
  readonly collector?: CollectorPlacement;
  readonly ssh: SshSettings;
}

const USER_RE = /^[a-z_][a-z0-9_.-]{0,31}$/i;
const DNS_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const VM_KEYS = ['address', 'port', 'user', 'remoteDir', 'reloadCommand', 'dnsNames', 'ipAddresses'];
const SSH_KEYS = [
  'privateKeyPath',
  'useAgent',
  'knownHostsPath',
  'trustOnFirstUse',
  'connectTimeoutMs',
  'operationTimeoutMs',
  'concurrency',
];

/**
 * Validates a parsed topology object and applies defaults (`defaults.user`, `defaults.port`,
 * `defaults.remoteDir`, `defaults.reloadCommand` fill missing VM fields). Unknown keys are refused so
 * a typo cannot silently fall back to a default.
 *
 * @param baseDir directory relative `ssh.*Path` values resolve against.
 * @throws TopologyError naming the invalid field (`vms.frontend.address`, …).
 */
export function parseTopology(input: unknown, baseDir = process.cwd()): Topology {
  const root = object(input, '(root)');
  onlyKeys(root, ['$schema', 'description', 'defaults', 'mainHost', 'vms', 'collector', 'ssh'], '');
  const defaults = root.defaults === undefined ? {} : object(root.defaults, 'defaults');
  onlyKeys(defaults, ['user', 'port', 'remoteDir', 'reloadCommand'], 'defaults.');

  const vms = new Map<VmName, VmTarget>();
  for (const [name, raw] of Object.entries(object(root.vms, 'vms'))) {
    const target = parseVm(name, raw, defaults);
    vms.set(target.name, target);
  }
  if (vms.size === 0) throw new TopologyError('vms', 'must list at least one VM');
  const mainHost = root.mainHost === undefined ? undefined : parseMainHost(root.mainHost);
  const collector = root.collector === undefined ? undefined : parseCollector(root.collector, vms);
  const ssh = parseSsh(root.ssh === undefined ? {} : object(root.ssh, 'ssh'), baseDir);
  return Object.freeze({ ...(mainHost ? { mainHost } : {}), vms, ...(collector ? { collector } : {}), ssh });
}

function parseVm(name: string, raw: unknown, defaults: Obj): VmTarget {
  const path = `vms.${name}`;
  if (!(VM_NAMES as readonly string[]).includes(name)) {
    throw new TopologyError(
      path,
      `unknown VM name ${JSON.stringify(name)} (expected one of ${VM_NAMES.join(', ')})`,
    );
  }
  const vm = object(raw, path);
  onlyKeys(vm, VM_KEYS, `${path}.`);
  const address = hostAddress(vm.address, `${path}.address`);
  const user = vm.user ?? defaults.user;
  if (user === undefined) throw new TopologyError(`${path}.user`, 'is required (or set defaults.user)');
  // A field taken from `defaults` is reported under `defaults.` when invalid.
  const field = (key: string) => (vm[key] === undefined ? `defaults.${key}` : `${path}.${key}`);
  const reloadCommand = vm.reloadCommand ?? defaults.reloadCommand;
  return Object.freeze({
    name: name as VmName,
    address,
    port: port(vm.port ?? defaults.port ?? 22, field('port')),
    user: pattern(user, USER_RE, field('user'), 'a POSIX user name'),
    remoteDir: remoteDir(vm.remoteDir ?? defaults.remoteDir ?? '/etc/autobot/tls', field('remoteDir')),
    ...(reloadCommand === undefined || reloadCommand === null
      ? {}
      : { reloadCommand: nonEmptyString(reloadCommand, field('reloadCommand')) }),
    ...sans(vm, path, name, address),
  });
}

function parseMainHost(input: unknown): MainHost {
  const raw = object(input, 'mainHost');
  onlyKeys(raw, ['address', 'dnsNames', 'ipAddresses'], 'mainHost.');
  const address = hostAddress(raw.address, 'mainHost.address');
  return Object.freeze({ name: MAIN_HOST_NAME, address, ...sans(raw, 'mainHost', MAIN_HOST_NAME, address) });
}

function parseCollector(input: unknown, vms: ReadonlyMap<VmName, VmTarget>): CollectorPlacement {
  const raw = object(input, 'collector');
  onlyKeys(raw, ['vm', 'clientCertificates'], 'collector.');
  if (typeof raw.vm !== 'string' || !vms.has(raw.vm as VmName)) {
    throw new TopologyError(
      'collector.vm',
      `must name a VM of the topology (${[...vms.keys()].join(', ')}), got ${describe(raw.vm)}`,
    );
  }
  return Object.freeze({
    vm: raw.vm as VmName,
    clientCertificates: bool(raw.clientCertificates ?? true, 'collector.clientCertificates'),
  });
}

function parseSsh(input: Obj, baseDir: string): SshSettings {
  onlyKeys(input, SSH_KEYS, 'ssh.');
  const path = (key: 'privateKeyPath' | 'knownHostsPath') =>
    input[key] === undefined ? {} : { [key]: localPath(baseDir, nonEmptyString(input[key], `ssh.${key}`)) };
  return Object.freeze({
    ...path('privateKeyPath'),
    ...path('knownHostsPath'),
    useAgent: bool(input.useAgent ?? false, 'ssh.useAgent'),
    trustOnFirstUse: bool(input.trustOnFirstUse ?? false, 'ssh.trustOnFirstUse'),
    connectTimeoutMs: integer(input.connectTimeoutMs ?? 10_000, 'ssh.connectTimeoutMs', 100, 600_000),
    operationTimeoutMs: integer(input.operationTimeoutMs ?? 15_000, 'ssh.operationTimeoutMs', 100, 3_600_000),
    concurrency: integer(input.concurrency ?? 4, 'ssh.concurrency', 1, 64),
  });
}

/**
 * Reads and validates a JSON topology file. Relative `ssh.*Path` values resolve against the file's
 * directory.
 * @throws TopologyError (field `(file)` when the file cannot be read or is not JSON).
 */
export async function loadTopology(path: string): Promise<Topology> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new TopologyError(
      '(file)',
      `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`,
      {
        cause,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new TopologyError('(file)', `${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return parseTopology(parsed, dirname(resolve(path)));
}

/**
 * The subject data (`dnsNames`, `ipAddresses`) of a VM, the main host, or — when the topology places
 * the collector — `collector` (the name `collector` plus its VM's SANs), for {@link issueCertificate}.
 */
export function certificateSubjectFor(
  topology: Topology,
  name: string,
): { dnsNames: readonly string[]; ipAddresses: readonly string[] } {
  if (name === MAIN_HOST_NAME && topology.mainHost) return topology.mainHost;
  const collectorVm = topology.collector && topology.vms.get(topology.collector.vm);
  if (name === COLLECTOR_CERT_NAME && collectorVm) {
    return {
      dnsNames: [...new Set([COLLECTOR_CERT_NAME, ...collectorVm.dnsNames])],
      ipAddresses: collectorVm.ipAddresses,
    };
  }
  const vm = topology.vms.get(name as VmName);
  if (!vm) {
    const known = [
      ...topology.vms.keys(),
      ...(topology.mainHost ? [MAIN_HOST_NAME] : []),
      ...(collectorVm ? [COLLECTOR_CERT_NAME] : []),
    ];
    throw new TopologyError(
      'name',
      `${JSON.stringify(name)} is not in the topology (known: ${known.join(', ')})`,
    );
  }
  return vm;
}

/** Resolves a local path: `~/` means the home directory, relative paths resolve against `baseDir`. */
export function localPath(baseDir: string, path: string): string {
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  return resolve(baseDir, path);
}

type Obj = Record<string, unknown> & { [key: string]: unknown };

function object(value: unknown, field: string): Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TopologyError(field, `must be an object, got ${describe(value)}`);
  }
  return value as Obj;
}

function onlyKeys(value: Obj, allowed: readonly string[], prefix: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TopologyError(`${prefix}${key}`, `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }
}

function hostAddress(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TopologyError(field, `must be an IP address or host name, got ${describe(value)}`);
  }
  if (isIP(value) !== 0) return value;
  // Dotted numbers that are not a valid IPv4 (`172.16.168.300`) are a typo, not a host name.
  if (/^[\d.]+$/.test(value) || !DNS_RE.test(value) || value.length > 253) {
    throw new TopologyError(field, `${JSON.stringify(value)} is not a valid IP address or host name`);
  }
  return value;
}

function port(value: unknown, field: string): number {
  return integer(value, field, 1, 65_535);
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TopologyError(field, `must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

function bool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean')
    throw new TopologyError(field, `must be true or false, got ${describe(value)}`);
  return value;
}

function nonEmptyString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new TopologyError(field, `must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function pattern(value: unknown, re: RegExp, field: string, what: string): string {
  if (typeof value !== 'string' || !re.test(value)) {
    throw new TopologyError(field, `must be ${what}, got ${describe(value)}`);
  }
  return value;
}

function remoteDir(value: unknown, field: string): string {
  const dir = nonEmptyString(value, field);
  if (!posix.isAbsolute(dir) || !isAbsolute(dir) || dir.includes('\0')) {
    throw new TopologyError(field, `must be an absolute POSIX path, got ${describe(value)}`);
  }
  return posix.normalize(dir);
}

function sans(raw: Obj, path: string, name: string, address: string) {
  const dnsNames = list(raw.dnsNames, `${path}.dnsNames`, (v, f) => {
    if (typeof v !== 'string' || !DNS_RE.test(v))
      throw new TopologyError(f, `${describe(v)} is not a DNS name`);
    return v;
  }) ?? [name, ...(isIP(address) === 0 ? [address] : [])];
  const ipAddresses =
    list(raw.ipAddresses, `${path}.ipAddresses`, (v, f) => {
      if (typeof v !== 'string' || isIP(v) === 0)
        throw new TopologyError(f, `${describe(v)} is not an IP address`);
      return v;
    }) ?? (isIP(address) === 0 ? [] : [address]);
  return { dnsNames: Object.freeze(dnsNames), ipAddresses: Object.freeze(ipAddresses) };
}

function list<T>(value: unknown, field: string, item: (v: unknown, f: string) => T): T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TopologyError(field, `must be an array, got ${describe(value)}`);
  return value.map((v, i) => item(v, `${field}[${i}]`));
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return typeof value;
  }
}
