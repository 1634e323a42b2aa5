import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceStore } from '../src/index.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'collector-cli-'));
const children: ChildProcess[] = [];

interface Listening {
  event: string;
  grpcPort: number;
  httpPort: number;
  queryPort: number;
}

function serve(db: string): Promise<{ child: ChildProcess; ports: Listening }> {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--grpc-port', '0', '--http-port', '0', '--query-port', '0', '--db', db],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.stdout?.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ child, ports: JSON.parse(line) as Listening });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 20_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
function otlpJson(
  spanId: string,
  parent: string,
  name: string,
  service: string,
  attrs: Record<string, number | string>,
) {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: TRACE_ID,
                spanId,
                parentSpanId: parent,
                name,
                kind: 2,
                startTimeUnixNano: `${Date.now()}000000`,
                endTimeUnixNano: `${Date.now() + 6000}000000`,
                status: name.startsWith('ssh') ? { code: 2, message: 'refused' } : {},
                attributes: Object.entries(attrs).map(([key, v]) => ({
                  key,
                  value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v },
                })),
              },
            ],
          },
        ],
      },
    ],
  });
}

let collector: { child: ChildProcess; ports: Listening };
let url: string;

beforeAll(async () => {
  collector = await serve(join(dir, 'cli.db'));
  url = `http://127.0.0.1:${collector.ports.queryPort}`;
  const post = (body: string) =>
    fetch(`http://127.0.0.1:${collector.ports.httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  expect(
    (await post(otlpJson('00f067aa0ba902b7', '', 'HTTP POST /api/chat', 'autobot-backend', {}))).status,
  ).toBe(200);
  expect(
    (
      await post(
        otlpJson('00f067aa0ba902b8', '00f067aa0ba902b7', 'llm.inference', 'autobot-ai-stack', {
          'llm.duration_ms': 6000,
        }),
      )
    ).status,
  ).toBe(200);
  expect(
    (
      await post(
        otlpJson('00f067aa0ba902b9', '00f067aa0ba902b7', 'ssh.distribute_certificates', 'autobot-backend', {
          'ssh.target_vm': 'frontend',
        }),
      )
    ).status,
  ).toBe(200);
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('autobot-trace CLI', () => {
  it('serve prints one machine-readable listening line', () => {
    expect(collector.ports).toMatchObject({ event: 'listening' });
    for (const p of [collector.ports.grpcPort, collector.ports.httpPort, collector.ports.queryPort]) {
      expect(p).toBeGreaterThan(0);
    }
  });

  it('query prints a table, --json the API document, and a syntax error with a caret', () => {
    const table = run(['query', 'llm.duration_ms > 5000', '--url', url]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/TRACE ID/);
    expect(table.out).toContain(TRACE_ID);
    expect(table.out).toMatch(/autobot-backend: HTTP POST \/api\/chat/);
    const json = JSON.parse(run(['query', 'ssh.target_vm = frontend', '--json', '--url', url]).out);
    expect(json.data[0]).toMatchObject({ traceID: TRACE_ID, spanCount: 3, errorCount: 1 });
    const bad = run(['query', 'llm.duration_ms >', '--url', url]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/column 18/);
    expect(bad.err.match(/column 18/g)).toHaveLength(1); // said once
    expect(bad.err).toMatch(/\^/);
  });

  it('a service name that matches nothing suggests the close ones', () => {
    const r = run(['query', 'service = backend and duration > 2s', '--url', url]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/no matching traces/);
    expect(r.err).toContain('no service is named "backend"; did you mean "autobot-backend"?');
    const far = run(['query', 'service = postgres', '--url', url]);
    expect(far.err).toContain('known services: autobot-ai-stack, autobot-backend');
    const found = run(['query', 'service = autobot-backend and duration > 2s', '--url', url]);
    expect(found.out).toContain(TRACE_ID);
    expect(found.err).toBe('');
  });

  it('show prints an indented span tree with services, durations and errors', () => {
    const r = run(['show', TRACE_ID, '--url', url]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/3 span\(s\), 2 service\(s\), 1 error\(s\)/);
    expect(lines[1]).toMatch(/^HTTP POST \/api\/chat \[autobot-backend\] 6\.00s/);
    expect(lines.slice(2).join('\n')).toMatch(/[├└]─ llm\.inference \[autobot-ai-stack\]/);
    expect(lines.slice(2).join('\n')).toMatch(
      /└─ .*ssh\.distribute_certificates vm=frontend .*✗ ERROR: refused/,
    );
    expect(run(['show', 'f'.repeat(32), '--url', url]).code).toBe(3);
  });

  it('services lists services', () => {
    expect(run(['services', '--url', url]).out.trim().split('\n')).toEqual([
      'autobot-ai-stack',
      'autobot-backend',
    ]);
  });

  it('doctor checks an OTLP/HTTP and an OTLP/gRPC endpoint and reports bad settings', () => {
    const http = run(['doctor'], {
      AUTOBOT_JAEGER_ENDPOINT: `http://127.0.0.1:${collector.ports.httpPort}/v1/traces`,
    });
    expect(http.out).toMatch(/OTLP\/HTTP/);
    expect(http.out).toMatch(/ok: the endpoint accepts OTLP traces/);
    expect(http.code).toBe(0);
    const grpc = run(['doctor', '--endpoint', `http://127.0.0.1:${collector.ports.grpcPort}`]);
    expect(grpc.out).toMatch(/OTLP\/gRPC/);
    expect(grpc.code).toBe(0);
    const bad = run(['doctor', '--endpoint', 'http://127.0.0.1:1'], { AUTOBOT_TRACE_SAMPLE_RATE: 'lots' });
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(
      /AUTOBOT_TRACE_SAMPLE_RATE="lots" is invalid \(expected a number from 0 to 1\); using 1/,
    );
    expect(bad.out).toMatch(/gRPC Export to 127\.0\.0\.1:1 failed/);
    expect(bad.out).not.toMatch(/Resolution note:\s*$/m); // grpc-js's empty note is dropped
  });

  it('bad flags exit 2 with a message', () => {
    const r = run(['serve', '--grpc-port', 'abc']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--grpc-port must be a port number/);
  });

  it('a SIGKILLed collector leaves a database that opens cleanly with the data', async () => {
    const db = join(dir, 'killed.db');
    const victim = await serve(db);
    const body = otlpJson('00f067aa0ba902c1', '', 'before-kill', 'svc', {});
    const res = await fetch(`http://127.0.0.1:${victim.ports.httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    const exited = new Promise((resolve) => victim.child.once('exit', resolve));
    victim.child.kill('SIGKILL');
    await exited;
    const raw = new Database(db);
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
    const store = TraceStore.open({ path: db });
    try {
      expect(store.getTrace(TRACE_ID)?.map((s) => s.name)).toEqual(['before-kill']);
    } finally {
      store.close();
    }
  });

  it('SIGTERM shuts down cleanly', async () => {
    const exited = new Promise<number | null>((resolve) => collector.child.once('exit', resolve));
    collector.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
