// The clients the secrets-canary run drives the stack with: POST with URL credentials, the PKI
// CLI against a real sshd, and RESP to a password-protected Redis.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { keygen, ROOT } from '@autobot/test-kit';
import { expect } from 'vitest';
import { C, waitFor } from './canaries.mjs';

const PKI_BIN = join(ROOT, 'packages/pki/dist/cli/bin.js');

/** POST JSON with node:http (fetch refuses URLs with credentials; http sends them as Basic auth). */
export function post(url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            text,
            traceId: String(res.headers.traceresponse ?? '').split('-')[1],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/**
 * Three `autobot-pki distribute` runs against the real `sshd` (a key with the canary passphrase
 * under a canary directory, the wrong passphrase, a missing key), working in `dir`; returns the
 * exit codes and all output.
 */
export async function runPki(otlpGrpc, { dir, sshd }) {
  const user = userInfo().username;
  const pkiRoot = join(dir, 'pki-run');
  const keyDir = join(pkiRoot, `keys-${C.sshKeyDir}`);
  mkdirSync(keyDir, { recursive: true });
  const key = await keygen(join(keyDir, 'id_ed25519'), C.sshPassphrase);
  // Authorize this key on the running sshd too (its authorized_keys holds one line per key).
  const authorized = join(dir, 'sshd', 'authorized_keys');
  writeFileSync(authorized, `${readFileSync(authorized, 'utf8')}${key.pub}\n`, { mode: 0o600 });
  writeFileSync(join(pkiRoot, 'known_hosts'), `${sshd.knownHostsLine}\n`);
  writeFileSync(
    join(pkiRoot, 'topology.json'),
    JSON.stringify({
      defaults: { user },
      vms: {
        frontend: {
          address: '127.0.0.1',
          port: sshd.port,
          remoteDir: join(pkiRoot, 'vm', 'frontend', 'tls'),
        },
      },
      ssh: { privateKeyPath: key.path, knownHostsPath: 'known_hosts', connectTimeoutMs: 3000 },
    }),
  );
  const env = {
    AUTOBOT_JAEGER_ENDPOINT: otlpGrpc,
    AUTOBOT_TRACE_SAMPLE_RATE: '1.0',
    AUTOBOT_TRACE_CAPTURE_CONTENT: 'false',
    AUTOBOT_PKI_DIR: join(pkiRoot, 'pki'),
    AUTOBOT_PKI_TOPOLOGY: join(pkiRoot, 'topology.json'),
  };
  let output = '';
  const cli = async (args, extra = {}) => {
    const res = await runCli(args, { ...env, ...extra }, pkiRoot);
    output += `$ ${args.join(' ')}\n${res.stdout}${res.stderr}\n`;
    return res;
  };
  const init = await cli(['init-ca']);
  expect(init.code, init.stderr).toBe(0);
  const issue = await cli(['issue', 'frontend']);
  expect(issue.code, issue.stderr).toBe(0);
  const ok = await cli(['distribute'], { AUTOBOT_PKI_KEY_PASSPHRASE: C.sshPassphrase });
  expect(ok.stdout, ok.stderr).toMatch(/frontend\s+127\.0\.0\.1:\d+\s+\S+\s+ok/);
  const wrong = await cli(['distribute'], { AUTOBOT_PKI_KEY_PASSPHRASE: C.sshWrongPassphrase });
  // The key path comes from the topology here (a missing --identity is refused before any span).
  const missingTopology = join(pkiRoot, 'topology-missing-key.json');
  const topology = JSON.parse(readFileSync(join(pkiRoot, 'topology.json'), 'utf8'));
  topology.ssh.privateKeyPath = join(pkiRoot, `keys-${C.sshMissingDir}`, 'id_ed25519');
  writeFileSync(missingTopology, JSON.stringify(topology));
  const missing = await cli(['distribute'], {
    AUTOBOT_PKI_TOPOLOGY: missingTopology,
    AUTOBOT_PKI_KEY_PASSPHRASE: C.sshPassphrase,
  });
  return { codes: { ok: ok.code, wrongPassphrase: wrong.code, missingKey: missing.code }, output };
}

function runCli(args, env, cwd) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [PKI_BIN, ...args],
      { cwd, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** RESP over a plain socket (no Redis client in this workspace). */
export async function redisCommand(port, args) {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.on('error', reject);
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.endsWith('\r\n')) {
        socket.end();
        if (reply.startsWith('-')) reject(new Error(reply.trim()));
        else resolve(reply.trim());
      }
    });
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

/** Resolves once Redis on `port` answers PING (10 s at most). */
export async function waitForRedis(port) {
  await waitFor(async () => (await redisCommand(port, ['PING'])) === '+PONG', 10_000);
}
