#!/usr/bin/env node
// `npm start`: the whole reference stack on this machine — collector, Redis, dev model, the five
// services — with health checks, a table of URLs, and a clean stop on Ctrl-C / SIGTERM.
// `--json` prints one JSON line per event instead of the human output (tests, scripts).
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasRedisServer, isAlive, tail, waitHealthy } from './lib/processes.mjs';
import {
  buildNeeded,
  freePort,
  logDir,
  onLines,
  PORTS,
  probePort,
  ROOT,
  readState,
  resolvePorts,
  stackFile,
} from './lib/stack.mjs';
import { healthRoutes, servicePlan, stackUrls } from './lib/stack-plan.mjs';

const json = process.argv.includes('--json');
const noBuild = process.argv.includes('--no-build');
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 10_000;
const started = Date.now();

/** Human progress line (stderr in --json mode so stdout stays machine-readable). */
function say(text) {
  if (json) process.stderr.write(`${text}\n`);
  else process.stdout.write(`${text}\n`);
}
function emit(event) {
  if (json) process.stdout.write(`${JSON.stringify(event)}\n`);
}
function fail(message) {
  emit({ event: 'error', message });
  process.stderr.write(`\nnpm start: ${message}\n`);
  return stopAll(1);
}

const children = []; // { name, child, log }
let stopping = false;

// Stop order: services first (they flush their spans to the collector), the collector last.
const STOP_STAGES = [['dev-model'], ['redis'], ['collector']];
const stageOf = (name) => 1 + STOP_STAGES.findIndex((names) => names.includes(name)); // 0 = a service

// Children run in their own process groups (detached), so a terminal's Ctrl-C — SIGINT to the
// whole foreground group — reaches only this launcher, which then stops them in order. A reaper
// (scripts/lib/reaper.mjs) stops them the same way if this process dies without doing so (SIGKILL).
const reaper = spawn(process.execPath, [fileURLToPath(new URL('./lib/reaper.mjs', import.meta.url))], {
  detached: true,
  stdio: ['pipe', 'ignore', 'ignore'],
});
reaper.unref();
reaper.stdin.on('error', () => {}); // a reaper that is gone is not our error
const tellReaper = (message) => {
  if (!reaper.stdin.destroyed) reaper.stdin.write(`${JSON.stringify(message)}\n`);
};

function run(name, args, env, { command = process.execPath } = {}) {
  const logPath = join(logDir(), `${name}.log`);
  const log = createWriteStream(logPath, { flags: 'a' });
  log.write(`\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  tellReaper({ name, pid: child.pid, stage: stageOf(name) });
  const entry = { name, child, log, logPath, listening: undefined, exited: false };
  const waiters = [];
  entry.onListening = () =>
    new Promise((resolve, reject) => {
      if (entry.listening) return resolve(entry.listening);
      waiters.push({ resolve, reject });
    });
  const markListening = (event) => {
    entry.listening = event;
    for (const w of waiters.splice(0)) w.resolve(event);
  };
  onLines(child.stdout, (line) => {
    if (entry.listening || !line.startsWith('{')) return;
    try {
      const parsed = JSON.parse(line);
      if (parsed.event === 'listening' || /Ready to accept connections/.test(line)) markListening(parsed);
    } catch {
      // a log line, not ours
    }
  });
  child.stdout.on('data', (chunk) => {
    log.write(chunk);
    // redis-server's readiness is a plain log line.
    if (!entry.listening && /Ready to accept connections/.test(chunk.toString())) {
      markListening({ event: 'listening' });
    }
  });
  child.stderr.on('data', (chunk) => log.write(chunk));
  child.once('error', (error) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`${name} could not start: ${error.message}`));
  });
  child.once('exit', (code, signal) => {
    entry.exited = true;
    log.end(`--- exited code=${code} signal=${signal}\n`);
    for (const w of waiters.splice(0)) {
      w.reject(new Error(`${name} exited (code ${code}) before it was ready:\n${tail(logPath)}`));
    }
    if (!stopping) {
      emit({ event: 'exited', name, code, signal });
      say(`! ${name} exited (code ${code ?? signal}); the rest of the stack keeps running. Log: ${logPath}`);
    }
  });
  children.push(entry);
  return entry;
}

async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  const stages = [
    children.filter((c) => stageOf(c.name) === 0),
    ...STOP_STAGES.map((_, i) => children.filter((c) => stageOf(c.name) === i + 1)),
  ];
  for (const stage of stages) {
    await Promise.all(stage.map((entry) => stopChild(entry)));
  }
  tellReaper({ done: true });
  reaper.stdin.end();
  if (readState()?.pid === process.pid) rmSync(stackFile(), { force: true });
  emit({ event: 'stopped', code });
  say(code === 0 ? 'stopped.' : 'stopped after an error.');
  process.exit(code);
}

function stopChild(entry) {
  if (entry.exited) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      say(`! ${entry.name} did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing it`);
      try {
        process.kill(-entry.child.pid, 'SIGKILL'); // its process group: what it started goes too (Chromium)
      } catch {
        entry.child.kill('SIGKILL');
      }
    }, STOP_TIMEOUT_MS);
    entry.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    entry.child.kill('SIGTERM');
  });
}

// Ctrl-C in the terminal, `kill <launcher>`, `kill -TERM -<group>` or a closed terminal: one
// ordered stop (a second signal while stopping changes nothing).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stopAll(0));

async function main(env) {
  if (!(await preflight())) return;
  const { config, warnings } = (await import('./lib/launcher-config.mjs')).resolveLauncherConfig(env);
  for (const warning of warnings) say(`! ${warning}`);
  const ports = await checkedPorts(env);
  if (!ports) return;
  const urls = stackUrls(ports, HOST);
  const deadline = Date.now() + READY_TIMEOUT_MS;

  const collector = startCollectorProcess(ports, config);
  const redis = await startRedis(config);
  const devModel = startDevModel(ports, config);
  await Promise.all([collector, redis.entry, devModel].filter(Boolean).map((c) => c.onListening())).catch(
    (error) => fail(error.message),
  );
  if (stopping) return;

  const services = startServices(ports, urls, config, redis.url);
  try {
    await waitReady(services, urls, deadline);
  } catch (error) {
    return fail(error.message);
  }
  if (stopping) return;
  announceReady(ports, urls, config, redis, devModel, services.workers[2]);
}

/** Step line: human progress plus a `progress` event. */
function step(text) {
  say(`  … ${text}`);
  emit({ event: 'progress', text });
}

/** Dependencies installed, no other stack running, build up to date. Resolves false after `fail`. */
async function preflight() {
  if (!existsSync(join(ROOT, 'node_modules'))) {
    await fail('dependencies are not installed: run `npm install` (or `npm ci`) first');
    return false;
  }
  mkdirSync(logDir(), { recursive: true });
  const previous = readState();
  if (previous && isAlive(previous.pid)) {
    await fail(
      `a stack is already running (pid ${previous.pid}, frontend ${previous.urls?.frontend}); stop it with Ctrl-C in its terminal or \`kill ${previous.pid}\``,
    );
    return false;
  }
  const stale = noBuild ? null : buildNeeded();
  if (!stale) return true;
  say(`building (${stale}) — npm run build, log in ${join(logDir(), 'build.log')} …`);
  try {
    const output = execFileSync('npm', ['run', 'build'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    writeFileSync(join(logDir(), 'build.log'), output);
  } catch (error) {
    writeFileSync(join(logDir(), 'build.log'), `${error.stdout ?? ''}${error.stderr ?? ''}`);
    await fail(`the build failed:\n${tail(join(logDir(), 'build.log'), 25)}`);
    return false;
  }
  say(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

/** The stack's ports from the environment, each checked free on HOST; undefined after `fail`. */
async function checkedPorts(env) {
  const { ports, errors } = await resolvePorts(env);
  if (errors.length) return void (await fail(errors.join('\n')));
  for (const { key, variable, what } of PORTS) {
    const problem = await probePort(ports[key], HOST);
    if (problem) {
      return void (await fail(
        problem === 'EADDRINUSE'
          ? `port ${ports[key]} (${what}) is already in use on ${HOST}; stop what uses it or set ${variable} to another port (0 = any free port)`
          : `port ${ports[key]} (${what}) cannot be used on ${HOST} (${problem}); set ${variable} to another port`,
      ));
    }
  }
  return ports;
}

/** 1. Collector: OTLP in, query API + viewer out; the page's spans arrive through the frontend's relay. */
function startCollectorProcess(ports, config) {
  step(`collector on ${ports.grpc}/${ports.otlpHttp}/${ports.query}`);
  const db = config.traceDb;
  if (db !== ':memory:') mkdirSync(dirname(db), { recursive: true });
  return run('collector', [
    'packages/collector/dist/cli/main.js',
    'serve',
    '--host',
    HOST,
    '--grpc-port',
    String(ports.grpc),
    '--http-port',
    String(ports.otlpHttp),
    '--query-port',
    String(ports.query),
    '--db',
    db,
  ]);
}

/** 2. Redis: the configured one, a private redis-server, or none (conversations in memory). */
async function startRedis(config) {
  if (config.redisUrl) {
    return {
      url: config.redisUrl,
      note: `configured (${config.redisUrl.replace(/\/\/[^@/]*@/, '//***@')})`,
      entry: undefined,
    };
  }
  if (!hasRedisServer()) {
    say(
      '! Redis: AUTOBOT_REDIS_URL is not set and redis-server is not on PATH, so traces will have NO Redis spans.\n' +
        '  Install it (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`) or set AUTOBOT_REDIS_URL=redis://host:6379.',
    );
    return { url: 'memory', note: 'none — conversations stay in backend memory', entry: undefined };
  }
  const port = config.redisPort || (await freePort());
  step(`private redis-server on ${port}`);
  const args = [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--save',
    '',
    '--appendonly',
    'no',
    '--protected-mode',
    'yes',
  ];
  return {
    url: `redis://${HOST}:${port}`,
    note: `private redis-server on ${port} (no persistence)`,
    entry: run('redis', args, {}, { command: 'redis-server' }),
  };
}

/** 3. Dev model, unless a real Ollama (or the OpenAI provider) is configured. */
function startDevModel(ports, config) {
  if (config.ollamaUrl || config.llmProvider === 'openai') return undefined;
  step(`dev model on ${ports.devModel}`);
  return run('dev-model', [
    'packages/dev-model/dist/cli.js',
    '--port',
    String(ports.devModel),
    '--host',
    HOST,
  ]);
}

/** 4. Workers, then the backend, then the page. */
function startServices(ports, urls, config, redisUrl) {
  const plan = servicePlan(ports, urls, config, redisUrl, HOST);
  const start = ({ name, entry, env }) => run(name, [entry], env);
  step('npu-worker, ai-stack, browser worker');
  const workers = plan.workers.map(start);
  step('backend, frontend');
  const backend = start(plan.backend);
  return { workers, backend, frontend: start(plan.frontend) };
}

/** Every service listening, then every health route answering, before `deadline`. */
async function waitReady({ workers, backend, frontend }, urls, deadline) {
  await Promise.all([...workers, backend, frontend].map((c) => c.onListening()));
  await Promise.all(
    healthRoutes(urls).map(async ([name, healthUrl]) => {
      await waitHealthy(name, healthUrl, deadline);
      step(`${name} healthy`);
    }),
  );
}

/** Writes the state file, emits `ready` and prints the table of URLs. */
function announceReady(ports, urls, config, redis, devModel, browserWorker) {
  const engine = browserWorker.listening?.engine ?? 'unknown';
  const pids = Object.fromEntries(children.map((c) => [c.name, c.child.pid]));
  const state = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    urls,
    ports,
    redis: redis.url,
    pids,
    logs: logDir(),
  };
  writeFileSync(stackFile(), `${JSON.stringify(state, null, 2)}\n`);
  emit({ event: 'ready', ...state, browserEngine: engine, seconds: (Date.now() - started) / 1000 });
  if (json) return;
  const llm = config.ollamaUrl
    ? `Ollama at ${config.ollamaUrl}`
    : devModel
      ? `dev model ${urls.devModel}`
      : 'OpenAI';
  const rows = [
    ['frontend', urls.frontend, 'open this: type a message, then "view trace"'],
    ['viewer', urls.viewer, 'traces (collector query API + UI)'],
    ['backend', urls.backend, 'POST /api/chat'],
    ['ai-stack', urls.aiStack, `LLM: ${llm}`],
    ['npu-worker', urls.npuWorker, 'CPU feature-hashing embeddings'],
    ['browser', urls.browser, `page loads via ${engine}`],
    ['otlp', `${urls.otlpGrpc} (gRPC), ${urls.otlpHttp}`, 'where spans go'],
    ['redis', redis.note, ''],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  say(`\nAutoBot stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  for (const [name, where, note] of rows) say(`  ${name.padEnd(w0)}  ${where.padEnd(w1)}  ${note}`);
  say(`\n  logs in ${logDir()}    try: npm run demo    stop: Ctrl-C\n`);
}

// The one place the launcher reads its environment; children inherit it in run().
main(process.env).catch((error) => fail(error?.stack ?? String(error)));
