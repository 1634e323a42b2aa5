// Secrets canary: the whole stack (launcher on free ports, content capture off, the AI stack on the
// OpenAI provider against the dev model's /v1 with a canary API key, Redis behind a canary
// password) plus a PKI distribution over a real sshd with a canary key path and passphrase, all
// exporting to one collector. Canaries go into URL query strings, URL credentials, Authorization /
// Cookie / X-Api-Key headers, the prompt, and the URL the browser worker loads. Then every stored
// span (every row of every table of the collector's SQLite file, the raw file bytes, and every
// trace of every service through the Jaeger API) and every service log is scanned: zero hits.
// Positive controls (non-secret markers beside the canaries, the spans each path must produce)
// make sure the places scanned are the places the data would have gone.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { keygen, launchChromium, parseNdjson, ROOT, startSshd, startStack } from '@autobot/test-kit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort, startNode, startProcess, stopProcess, waitForLine } from '../lib/procs.mjs';
import { record } from './record.mjs';

const PKI_BIN = join(ROOT, 'packages/pki/dist/cli/bin.js');
const DEV_MODEL = join(ROOT, 'packages/dev-model/dist/cli.js');

/** One distinct, greppable value per place a secret is put. */
const canary = (where) => `cnry${where}${randomBytes(6).toString('hex')}`;
const C = {
  queryToken: canary('qtok'),
  queryApiKey: canary('qkey'),
  urlUser: canary('uusr'),
  urlPassword: canary('upwd'),
  bearer: canary('bear'),
  cookie: canary('cook'),
  apiKeyHeader: canary('xkey'),
  prompt: canary('prmt'),
  openaiKey: `sk-${canary('oaik')}`,
  redisPassword: canary('rdpw'),
  pageToken: canary('ptok'),
  pageUser: canary('pusr'),
  pagePassword: canary('ppwd'),
  sshKeyDir: canary('kdir'),
  sshPassphrase: canary('kpas'),
  sshMissingDir: canary('kmis'),
  sshWrongPassphrase: canary('kwrg'),
  frontendToken: canary('ftok'),
  frontendHash: canary('fhsh'),
  frontendPrompt: canary('fprm'),
};
// Basic auth reaches the server base64-encoded: look for that form too.
const SCANNED = {
  ...C,
  basicAuth: Buffer.from(`${C.urlUser}:${C.urlPassword}`).toString('base64'),
};
/** Non-secret markers placed beside canaries: these must be stored, or the scan proves nothing. */
const VISIBLE = { query: canary('visq'), page: canary('visp'), frontend: canary('visf') };

let dir;
let stack;
let devModel;
let redis;
let sshd;
let browser;
const cleanups = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'autobot-canary-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

  // Redis behind a canary password; the backend gets it in AUTOBOT_REDIS_URL.
  const redisPort = await freePort();
  redis = startProcess(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { name: 'redis-server', env: {} },
  );
  redis.child.stdin?.end();
  cleanups.unshift(() => stopProcess(redis));
  // Password set through the config protocol, so it is not on redis-server's command line.
  await waitForRedis(redisPort);
  await redisCommand(redisPort, ['CONFIG', 'SET', 'requirepass', C.redisPassword]);

  // The dev model, which the launcher does not start for the OpenAI provider: the AI stack
  // reaches it through its OpenAI-compatible /v1 with the canary key.
  devModel = startNode(DEV_MODEL, { args: ['--port', '0', '--host', '127.0.0.1'] });
  cleanups.unshift(() => stopProcess(devModel));
  const { url: devModelUrl } = await waitForLine(devModel, (l) => l.event === 'listening');

  stack = await startStack({
    AUTOBOT_TRACE_DB: join(dir, 'traces.db'),
    AUTOBOT_TRACE_CAPTURE_CONTENT: 'false',
    AUTOBOT_TRACE_SAMPLE_RATE: '1.0',
    // The most verbose service logs: request logging included.
    AUTOBOT_LOG_LEVEL: 'debug',
    AUTOBOT_TRACE_LOG_LEVEL: 'debug',
    AUTOBOT_LLM_PROVIDER: 'openai',
    AUTOBOT_OPENAI_BASE_URL: `${devModelUrl}/v1`,
    OPENAI_API_KEY: C.openaiKey,
    AUTOBOT_REDIS_URL: `redis://:${C.redisPassword}@127.0.0.1:${redisPort}`,
  });
  cleanups.unshift(() => stack.stop());

  const key = await keygen(join(dir, 'sshd-client-key'));
  mkdirSync(join(dir, 'sshd'));
  sshd = await startSshd(join(dir, 'sshd'), key.pub);
  cleanups.unshift(() => sshd.stop());

  browser = await launchChromium();
  cleanups.unshift(() => browser.close());
}, 150_000);

afterAll(async () => {
  for (const cleanup of cleanups) await Promise.resolve(cleanup()).catch(() => {});
}, 60_000);

describe('secrets canary over the whole stack', () => {
  test('no canary in any stored span, resource, event or status, nor in the service logs', async () => {
    const started = Date.now();
    const { urls } = stack.state;
    const backend = new URL(urls.backend);

    // 1. Chats to the backend with canaries in the query, URL credentials, headers and prompt.
    const chats = [];
    chats.push(
      await post(
        `http://${C.urlUser}:${C.urlPassword}@${backend.host}/api/chat?token=${C.queryToken}&api_key=${C.queryApiKey}&visible=${VISIBLE.query}`,
        { message: `Remember the code word ${C.prompt} and say hello.` },
        {
          authorization: `Bearer ${C.bearer}`,
          cookie: `session=${C.cookie}; theme=dark`,
          'x-api-key': C.apiKeyHeader,
        },
      ),
    );
    // The browser worker loads the frontend's demo page through a URL carrying canaries.
    const frontend = new URL(urls.frontend);
    const pageUrl = `http://${C.pageUser}:${C.pagePassword}@${frontend.host}/demo/page.html?token=${C.pageToken}&visible=${VISIBLE.page}`;
    chats.push(
      await post(
        `${urls.backend}/api/chat?access_token=${C.queryToken}`,
        { message: `What is on ${pageUrl} ? The secret is ${C.prompt}.` },
        { authorization: `Bearer ${C.bearer}`, cookie: `session=${C.cookie}` },
      ),
    );
    // Error paths: a rejected body and an unknown route, both with canaries.
    const rejected = await post(
      `${urls.backend}/api/chat?token=${C.queryToken}`,
      { note: C.prompt },
      { authorization: `Bearer ${C.bearer}`, cookie: `session=${C.cookie}` },
    );
    const missing = await post(
      `${urls.backend}/api/nowhere?api_key=${C.queryApiKey}`,
      { message: C.prompt },
      { authorization: `Bearer ${C.bearer}` },
    );
    for (const c of chats) expect(c.status, c.text).toBe(200);
    expect(rejected.status).toBe(400);
    expect(missing.status).toBe(404);
    const answers = chats.map((c) => parseNdjson(c.text));
    expect(answers.every((lines) => lines.at(-1)?.type === 'done')).toBe(true);
    const pageMeta = answers[1][0].page;
    expect(pageMeta?.title, JSON.stringify(pageMeta)).toBeTruthy();
    const traceIds = chats.map((c) => c.traceId);

    // The chat page in a real Chromium, opened through a URL carrying canaries (its own spans:
    // document load, resource fetches, the submit interaction, the fetch to the backend).
    const page = await browser.newPage();
    let pageTraceId;
    try {
      await page.goto(
        `${urls.frontend}/?token=${C.frontendToken}&visible=${VISIBLE.frontend}#${C.frontendHash}`,
      );
      await page.waitForSelector('body[data-ready="true"]');
      await page.fill('#message', `Keep this between us: ${C.frontendPrompt}`);
      await page.click('#send');
      await page.waitForSelector('.turn[data-finished="true"]', { timeout: 30_000 });
      expect(await page.getAttribute('.turn', 'data-error')).toBeNull();
      pageTraceId = await page.getAttribute('.trace-link', 'data-trace-id');
    } finally {
      await page.close();
    }
    expect(pageTraceId).toMatch(/^[0-9a-f]{32}$/);
    traceIds.push(pageTraceId);

    // 2. PKI: a distribution with a passphrase-protected key under a canary directory (ok), one
    // with the wrong passphrase, one with a key path that does not exist.
    const pki = await runPki(urls.otlpGrpc);

    // 3. Wait until every path's spans are stored, then stop everything (services flush on
    // SIGTERM, the collector stops last) and read what is left behind.
    const viewer = urls.viewer;
    await waitFor(async () => {
      const all = await allSpans(viewer);
      const ops = new Set(all.map((s) => s.operationName));
      return (
        traceIds.every((id) => all.some((s) => s.traceID === id)) &&
        ['llm.inference', 'browser.navigate', 'npu.inference', 'redis.rpush', 'documentLoad'].every((op) =>
          ops.has(op),
        ) &&
        all.filter((s) => s.process === 'autobot-pki' || s.operationName.startsWith('ssh.')).length >= 3
      );
    }, 30_000);
    const apiText = JSON.stringify(await allTraces(viewer));
    const apiSpans = await allSpans(viewer);

    stack.child.kill('SIGTERM');
    if (stack.child.exitCode === null) await new Promise((r) => stack.child.once('exit', r));
    const dbPath = join(dir, 'traces.db');
    const dbHits = scanDatabase(dbPath);
    const fileHits = scanFiles([dbPath, `${dbPath}-wal`].filter(existsSync), Object.keys(SCANNED));
    const logDir = join(dirname(stack.env.AUTOBOT_STACK_FILE), 'logs');
    const logFiles = readdirSync(logDir).map((f) => join(logDir, f));
    const logHits = scanFiles(logFiles, Object.keys(SCANNED));
    const otherOutput = [
      { name: 'dev-model output', text: devModel.lines.map(String).join('\n') + devModel.stderr },
      { name: 'pki CLI output', text: pki.output },
      { name: 'launcher output', text: stack.stderr() },
    ];
    const otherHits = otherOutput.flatMap(({ name, text }) => hitsIn(name, text, Object.keys(SCANNED)));

    // Positive controls: each path produced its spans, the scanned rows are the real ones.
    const ops = new Set(apiSpans.map((s) => s.operationName));
    const llm = apiSpans.find((s) => s.operationName === 'llm.inference');
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    const storedSpans = db.prepare('SELECT count(*) AS n FROM spans').get().n;
    const services = db
      .prepare('SELECT name FROM services ORDER BY name')
      .all()
      .map((r) => r.name);
    db.close();
    const rawStore = Buffer.concat([dbPath, `${dbPath}-wal`].filter(existsSync).map((p) => readFileSync(p)));
    const visibleRows = new Set(scanDatabase(dbPath, VISIBLE).map((h) => `${h.canary}@${h.where}`));
    const controls = {
      visibleRows: [...visibleRows].sort(),
      storedSpans,
      services,
      llmProvider: llm && tagOf(llm, 'llm.provider'),
      llmPromptTokens: llm && tagOf(llm, 'llm.prompt_tokens'),
      visibleQueryStored: rawStore.includes(VISIBLE.query),
      visiblePageStored: rawStore.includes(VISIBLE.page),
      visibleFrontendStored: rawStore.includes(VISIBLE.frontend),
      redactedStored: rawStore.includes('REDACTED'),
      pkiExitCodes: pki.codes,
    };
    const apiHits = hitsIn('Jaeger API', apiText, Object.keys(SCANNED));
    record('secretsCanary', {
      canaries: Object.keys(SCANNED).length,
      spansScanned: storedSpans,
      logFilesScanned: logFiles.length,
      hitsInStore: dbHits.length + fileHits.length + apiHits.length,
      hitsInLogs: logHits.length + otherHits.length,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    });

    expect(storedSpans).toBeGreaterThan(30);
    expect(services).toEqual(
      expect.arrayContaining([
        'autobot-backend',
        'autobot-ai-stack',
        'autobot-npu-worker',
        'autobot-browser',
        'autobot-pki',
        'autobot-frontend',
      ]),
    );
    expect(controls.llmProvider).toBe('openai');
    expect(controls.llmPromptTokens).toBeGreaterThan(0);
    expect(ops.has('browser.navigate')).toBe(true);
    expect(controls.visibleQueryStored, 'the backend query string is recorded at all').toBe(true);
    expect(controls.visiblePageStored, 'the page URL is recorded at all').toBe(true);
    expect(controls.visibleFrontendStored, 'the page location is recorded at all').toBe(true);
    expect(controls.redactedStored).toBe(true);
    // The row scan sees what the raw scan sees: the markers are found in span attributes.
    expect(controls.visibleRows).toEqual(['frontend@spans.attrs', 'page@spans.attrs', 'query@spans.attrs']);
    expect(pki.codes).toEqual({ ok: 0, wrongPassphrase: 1, missingKey: 1 });

    // The verdict: zero occurrences anywhere in the store or the API; logs per the issue's list.
    expect([...dbHits, ...fileHits, ...apiHits], 'canaries in stored spans').toEqual([]);
    // Logs: no canary of any kind in any service log, the launcher's or the dev model's output,
    // or what the PKI CLI printed.
    expect(readdirSync(logDir).sort()).toEqual(
      ['ai-stack', 'backend', 'browser', 'collector', 'frontend', 'npu-worker'].map((n) => `${n}.log`),
    );
    // Positive control: at debug level the request URLs are logged (redacted) at all.
    expect(readFileSync(join(logDir, 'backend.log'), 'utf8')).toContain(`&visible=${VISIBLE.query}`);
    expect([...logHits, ...otherHits], 'canaries in logs').toEqual([]);
  }, 120_000);

  // Control for the prompt canary: the same request with content capture ON (and the Ollama
  // provider, the launcher's own dev model) does store the prompt — so its absence above is the
  // capture switch at work, not a blind scan — while every other canary stays out.
  test('control: with content capture on the prompt is stored, nothing else is', async () => {
    const controlDir = mkdtempSync(join(tmpdir(), 'autobot-canary-on-'));
    const dbPath = join(controlDir, 'traces.db');
    const control = await startStack({
      AUTOBOT_TRACE_DB: dbPath,
      AUTOBOT_TRACE_CAPTURE_CONTENT: 'true',
      AUTOBOT_TRACE_SAMPLE_RATE: '1.0',
    });
    try {
      const answer = await post(
        `${control.state.urls.backend}/api/chat?token=${C.queryToken}&api_key=${C.queryApiKey}`,
        { message: `Remember the code word ${C.prompt} and say hello.` },
        { authorization: `Bearer ${C.bearer}`, cookie: `session=${C.cookie}`, 'x-api-key': C.apiKeyHeader },
      );
      expect(answer.status, answer.text).toBe(200);
      await waitFor(async () => {
        const spans = await allSpans(control.state.urls.viewer);
        return spans.some((s) => s.operationName === 'llm.inference' && s.traceID === answer.traceId);
      }, 20_000);
    } finally {
      control.child.kill('SIGTERM');
      if (control.child.exitCode === null) await new Promise((r) => control.child.once('exit', r));
    }
    try {
      const hits = scanDatabase(dbPath);
      const promptHits = hits.filter((h) => h.canary === 'prompt');
      expect(promptHits.length, 'the prompt is stored when capture is on').toBeGreaterThan(0);
      expect(hits.filter((h) => h.canary !== 'prompt')).toEqual([]);
    } finally {
      await control.stop();
      rmSync(controlDir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** POST JSON with node:http (fetch refuses URLs with credentials; http sends them as Basic auth). */
function post(url, body, headers = {}) {
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

/** Three `autobot-pki distribute` runs against the real sshd; returns exit codes and all output. */
async function runPki(otlpGrpc) {
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

/** Every trace of every service, through the collector's Jaeger API. */
async function allTraces(viewer) {
  const services = (await (await fetch(`${viewer}/api/services`)).json()).data ?? [];
  const traces = [];
  for (const service of services) {
    const res = await fetch(`${viewer}/api/traces?service=${encodeURIComponent(service)}&limit=1000`);
    traces.push(...((await res.json()).data ?? []));
  }
  return traces;
}

/** Flattened spans of `allTraces`, each with its service name as `process`. */
async function allSpans(viewer) {
  return (await allTraces(viewer)).flatMap((t) =>
    t.spans.map((s) => ({ ...s, process: t.processes[s.processID]?.serviceName })),
  );
}

const tagOf = (span, key) => span.tags.find((t) => t.key === key)?.value;

/** Every value of every row of every table of the collector's store, checked for every canary. */
function scanDatabase(path, values = SCANNED) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const hits = [];
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['spans', 'resources', 'scopes', 'ops', 'services']));
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM "${table}"`).iterate()) {
        for (const [column, value] of Object.entries(row)) {
          const text = Buffer.isBuffer(value) ? value.toString('latin1') : String(value ?? '');
          for (const hit of hitsIn(`${table}.${column}`, text, Object.keys(values), values)) hits.push(hit);
        }
      }
    }
  } finally {
    db.close();
  }
  return hits;
}

function scanFiles(paths, names) {
  return paths.flatMap((p) => hitsIn(p, readFileSync(p).toString('latin1'), names));
}

/** Occurrences of the named canaries in `text`, with some context for the report. */
function hitsIn(where, text, names, values = SCANNED) {
  const hits = [];
  for (const name of names) {
    const value = values[name];
    let at = text.indexOf(value);
    while (at !== -1) {
      hits.push({ canary: name, where, context: text.slice(Math.max(0, at - 80), at + value.length + 40) });
      at = text.indexOf(value, at + 1);
    }
  }
  return hits;
}

async function waitFor(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`condition not met in ${timeoutMs} ms`);
}

/** RESP over a plain socket (no Redis client in this workspace). */
async function redisCommand(port, args) {
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

async function waitForRedis(port) {
  await waitFor(async () => (await redisCommand(port, ['PING'])) === '+PONG', 10_000);
}
