import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import {
  freePort,
  keygen,
  type RunningSshd,
  startSshd,
  startTestCollector,
  type TestCollector,
} from '@autobot/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// End to end, black box: the built CLI in its own process exports over OTLP/gRPC to the real
// collector, whose query API must then answer the spec's queries.
// `autobot-pki`: the bin beside the installed package's built entry point.
const BIN = join(dirname(createRequire(import.meta.url).resolve('@autobot/pki')), 'cli', 'bin.js');
const user = userInfo().username;

let root: string;
let sshd: RunningSshd;
let collector: TestCollector;
const cleanups: Array<() => Promise<unknown>> = [];

function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pki-e2e-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  collector = await startTestCollector();
  cleanups.unshift(() => collector.close());
  const key = await keygen(join(root, 'id_ed25519'));
  await mkdir(join(root, 'sshd'));
  sshd = await startSshd(join(root, 'sshd'), key.pub);
  cleanups.unshift(() => sshd.stop());
  await writeFile(join(root, 'known_hosts'), `${sshd.knownHostsLine}\n`);
  const closedPort = await freePort();
  await writeFile(
    join(root, 'topology.json'),
    JSON.stringify({
      defaults: { user },
      vms: {
        frontend: { address: '127.0.0.1', port: sshd.port, remoteDir: join(root, 'vm', 'frontend', 'tls') },
        redis: { address: '127.0.0.1', port: closedPort, remoteDir: join(root, 'vm', 'redis', 'tls') },
      },
      ssh: { privateKeyPath: 'id_ed25519', knownHostsPath: 'known_hosts', connectTimeoutMs: 3000 },
    }),
  );
});

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup().catch(() => {});
});

async function search(q: string): Promise<Array<{ traceID: string }>> {
  const res = await fetch(`http://127.0.0.1:${collector.queryPort}/api/search?q=${encodeURIComponent(q)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Array<{ traceID: string }> }).data;
}

async function eventually<T>(fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('autobot-pki CLI → collector', () => {
  it('init-ca, issue, distribute; the run is found by ssh.target_vm = frontend and ssh.error_type', async () => {
    const env = {
      AUTOBOT_JAEGER_ENDPOINT: `http://127.0.0.1:${collector.grpcPort}`,
      AUTOBOT_TRACE_SAMPLE_RATE: '1.0',
      AUTOBOT_PKI_DIR: join(root, 'pki'),
      AUTOBOT_PKI_TOPOLOGY: join(root, 'topology.json'),
    };
    expect((await cli(['init-ca'], env)).code).toBe(0);
    const issue = await cli(['issue', 'frontend', 'redis'], env);
    expect(issue.code, issue.stderr).toBe(0);

    const dist = await cli(['distribute'], env);
    // exit code = number of failed VMs
    expect(dist.code, dist.stderr).toBe(1);
    expect(dist.stdout).toMatch(/frontend\s+127\.0\.0\.1:\d+\s+\S+\s+ok\s+3/);
    expect(dist.stdout).toMatch(/redis\s+.*failed\s+0\s+\d+\s+connection_refused/);
    const traceId = /trace id ([0-9a-f]{32})/.exec(dist.stdout)?.[1];
    expect(traceId).toBeDefined();
    expect((await stat(join(root, 'vm', 'frontend', 'tls', 'server.key'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(root, 'vm', 'frontend', 'tls', 'ca.crt'), 'utf8')).toBe(
      await readFile(join(root, 'pki', 'ca', 'ca.crt'), 'utf8'),
    );

    const byVm = await eventually(async () => {
      const hits = await search('ssh.target_vm = frontend');
      return hits.some((t) => t.traceID === traceId) ? hits : undefined;
    });
    expect(byVm.map((t) => t.traceID)).toContain(traceId);
    const byError = await search('ssh.error_type = connection_refused');
    expect(byError.map((t) => t.traceID)).toContain(traceId);
    expect((await search('ssh.error_type = auth_failed')).map((t) => t.traceID)).not.toContain(traceId);
  });

  it('bad usage exits 64 with a message', async () => {
    const res = await cli(['distribute', '--vm', 'mailserver', '--topology', join(root, 'topology.json')], {
      AUTOBOT_TRACE_ENABLED: 'false',
    });
    expect(res.code).toBe(64);
    expect(res.stderr).toContain('unknown VM "mailserver"');
  });
});
