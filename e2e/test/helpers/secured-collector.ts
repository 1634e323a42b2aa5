import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCa, issueCertificate } from '@autobot/pki';
import { send } from '@autobot/test-kit';
import { type Started, start } from './processes.js';
import { ROOT } from './repo.js';

/** The collector CLI and the services the secured-layout tests run, as built. */
export const CLI = join(ROOT, 'packages/collector/dist/cli/main.js');
export const FRONTEND = join(ROOT, 'services/frontend/dist/node/main.js');
export const NPU_WORKER = join(ROOT, 'services/npu-worker/dist/main.js');

/** A collector with TLS from our own CA, write and read tokens, and a client-certificate CA. */
export interface SecuredCollector {
  dir: string;
  host: string;
  writeToken: string;
  readToken: string;
  /** PEM paths: our CA, the collector's key, and a client pair issued for services. */
  files: { ca: string; serverKey: string; clientCert: string; clientKey: string };
  ports: { grpcPort: number; httpPort: number; queryPort: number };
  /** `https://host:<http port>/v1/traces`. */
  otlpHttpUrl: string;
  queryUrl: string;
  collector: Started;
  /** GET on the query API with the read token; resolves status and body text. */
  query(path: string): Promise<{ status: number; body: string }>;
  /** Stops the collector and removes the directory. */
  stop(): Promise<void>;
}

/**
 * Issues a CA, a server certificate for `host` and a client certificate with `@autobot/pki`, writes
 * two random tokens to 0600 files, and starts `autobot-trace serve` on `host` with all of them.
 */
export async function startSecuredCollector(host = '127.0.0.2'): Promise<SecuredCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'autobot-secured-'));
  const ca = await initCa({ dir: join(dir, 'pki') });
  const server = await issueCertificate(ca, {
    name: 'collector',
    ipAddresses: [host],
    dnsNames: ['localhost'],
  });
  const client = await issueCertificate(ca, { name: 'frontend', profile: 'client' });
  const writeToken = `w-${randomBytes(18).toString('base64url')}`;
  const readToken = `r-${randomBytes(18).toString('base64url')}`;
  writeFileSync(join(dir, 'write.token'), `${writeToken}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'read.token'), `${readToken}\n`, { mode: 0o600 });
  // biome-ignore format: one flag per line reads better
  const collector = start(process.execPath, [
    CLI, 'serve', '--host', host, '--grpc-port', '0', '--http-port', '0', '--query-port', '0',
    '--db', join(dir, 'traces.db'),
    '--tls-cert', server.certPath, '--tls-key', server.keyPath, '--tls-client-ca', ca.layout.caCertPath,
    '--write-token-file', join(dir, 'write.token'), '--read-token-file', join(dir, 'read.token'),
  ], { env: { PATH: process.env.PATH } });
  let ports: SecuredCollector['ports'];
  try {
    ports = JSON.parse(await collector.waitFor(/"event":"listening"/, 30_000));
  } catch (error) {
    await collector.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const caPem = readFileSync(ca.layout.caCertPath);
  const queryUrl = `https://${host}:${ports.queryPort}`;
  return {
    dir,
    host,
    writeToken,
    readToken,
    files: {
      ca: ca.layout.caCertPath,
      serverKey: server.keyPath,
      clientCert: client.certPath,
      clientKey: client.keyPath,
    },
    ports,
    otlpHttpUrl: `https://${host}:${ports.httpPort}/v1/traces`,
    queryUrl,
    collector,
    query: (path) =>
      send(`${queryUrl}${path}`, { headers: { authorization: `Bearer ${readToken}` }, tls: { ca: caPem } }),
    async stop() {
      await collector.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts a built service with exactly `env` (plus PATH) and resolves its listening port. */
export async function startService(
  script: string,
  env: Record<string, string>,
): Promise<Started & { port: number }> {
  const service = start(process.execPath, [script], { env: { PATH: process.env.PATH, ...env } });
  const line = await service.waitFor(/"event":"listening"/, 30_000).catch(async (error: unknown) => {
    await service.stop();
    throw error;
  });
  return { ...service, port: (JSON.parse(line) as { port: number }).port };
}

/** Polls the query API until `path` answers 200 (15 s at most); resolves the last answer. */
export async function pollQuery(
  setup: SecuredCollector,
  path: string,
  accept: (body: string) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await setup.query(path);
    if ((res.status === 200 && accept(res.body)) || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 200));
  }
}
