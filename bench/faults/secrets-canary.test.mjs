// Secrets canary: the whole stack (launcher on free ports, content capture off, the AI stack on the
// OpenAI provider against the dev model's /v1 with a canary API key, Redis behind a canary
// password) plus a PKI distribution over a real sshd with a canary key path and passphrase, all
// exporting to one collector. Canaries go into URL query strings, URL credentials, Authorization /
// Cookie / X-Api-Key headers, the prompt, and the URL the browser worker loads. Then every stored
// span (every row of every table of the collector's SQLite file, the raw file bytes, and every
// trace of every service through the Jaeger API) and every service log is scanned: zero hits.
// Positive controls (non-secret markers beside the canaries, the spans each path must produce)
// make sure the places scanned are the places the data would have gone.
// The canaries and scans are in canaries.mjs, the clients (HTTP, PKI CLI, Redis) in canary-clients.mjs.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { keygen, launchChromium, parseNdjson, ROOT, startSshd, startStack } from '@autobot/test-kit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort, startNode, startProcess, stopProcess, waitForLine } from '../lib/procs.mjs';
import {
  allSpans,
  allTraces,
  C,
  hitsIn,
  SCANNED,
  scanDatabase,
  scanFiles,
  tagOf,
  VISIBLE,
  waitFor,
} from './canaries.mjs';
import { post, redisCommand, runPki, waitForRedis } from './canary-clients.mjs';
import { record } from './record.mjs';

const DEV_MODEL = join(ROOT, 'packages/dev-model/dist/cli.js');

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
    const pki = await runPki(urls.otlpGrpc, { dir, sshd });

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

    // The verdict: zero occurrences anywhere in the store or the API; logs per the list.
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
