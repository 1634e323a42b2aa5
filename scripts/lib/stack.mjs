// Shared by scripts/start.mjs and scripts/demo.mjs: where things are, which ports, the state file.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';

export { freePort, probePort } from './free-port.mjs';
export { onLines } from './lines.mjs';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `.autobot/stack.json` (or `AUTOBOT_STACK_FILE`): URLs and pids of the running stack. */
export const stackFile = (env = process.env) =>
  env.AUTOBOT_STACK_FILE || join(ROOT, '.autobot', 'stack.json');
/** Log directory beside the state file. */
export const logDir = (env = process.env) => join(dirname(stackFile(env)), 'logs');

/** The running stack's state file (`npm start` writes it when ready), or undefined when there is none. */
export function readState() {
  try {
    return JSON.parse(readFileSync(stackFile(), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Every port of the stack: variable, default, what it is. Defaults: the collector on Jaeger's
 * ports, the services on 8001–8004, the page on Vite's 5173, the dev model on 11500 (not
 * Ollama's 11434, so a real Ollama can run beside it). `0` picks a free port.
 */
export const PORTS = [
  { key: 'grpc', variable: 'AUTOBOT_COLLECTOR_GRPC_PORT', fallback: 4317, what: 'collector OTLP/gRPC' },
  { key: 'otlpHttp', variable: 'AUTOBOT_COLLECTOR_HTTP_PORT', fallback: 4318, what: 'collector OTLP/HTTP' },
  {
    key: 'query',
    variable: 'AUTOBOT_COLLECTOR_QUERY_PORT',
    fallback: 16686,
    what: 'collector query API + viewer',
  },
  { key: 'devModel', variable: 'AUTOBOT_DEV_MODEL_PORT', fallback: 11500, what: 'dev model' },
  { key: 'aiStack', variable: 'AUTOBOT_AI_STACK_PORT', fallback: 8002, what: 'ai-stack' },
  { key: 'npuWorker', variable: 'AUTOBOT_NPU_WORKER_PORT', fallback: 8003, what: 'npu-worker' },
  { key: 'browser', variable: 'AUTOBOT_BROWSER_PORT', fallback: 8004, what: 'browser worker' },
  { key: 'backend', variable: 'AUTOBOT_BACKEND_PORT', fallback: 8001, what: 'backend' },
  { key: 'frontend', variable: 'AUTOBOT_FRONTEND_PORT', fallback: 5173, what: 'frontend' },
];

/**
 * Ports from the environment: invalid values are an error message (the launcher stops before
 * starting anything), 0 becomes a free port.
 */
export async function resolvePorts(env = process.env) {
  const ports = {};
  const errors = [];
  for (const { key, variable, fallback } of PORTS) {
    const raw = env[variable]?.trim();
    let port = fallback;
    if (raw) {
      port = Number(raw);
      if (!/^\d+$/.test(raw) || port > 65535) {
        errors.push(`${variable}=${JSON.stringify(raw)} is not a port (0-65535)`);
        continue;
      }
    }
    ports[key] = port === 0 ? await freePort() : port;
  }
  return { ports, errors };
}

/** Build outputs the stack runs from, each with the source directories it is built from. */
export const BUILD_OUTPUTS = [
  ['packages/tracing/dist/index.js', ['packages/tracing/src']],
  ['packages/llm/dist/index.js', ['packages/llm/src']],
  ['packages/collector/dist/cli/main.js', ['packages/collector/src']],
  ['packages/viewer/dist/index.html', ['packages/viewer/src']],
  ['packages/dev-model/dist/cli.js', ['packages/dev-model/src']],
  ['packages/service-kit/dist/index.js', ['packages/service-kit/src']],
  ['services/npu-worker/dist/main.js', ['services/npu-worker/src']],
  ['services/ai-stack/dist/main.js', ['services/ai-stack/src']],
  ['services/browser/dist/main.js', ['services/browser/src']],
  ['services/backend/dist/main.js', ['services/backend/src']],
  ['services/frontend/dist/node/main.js', ['services/frontend/src/node']],
  [
    'services/frontend/dist/web/index.html',
    ['services/frontend/src/browser', 'services/frontend/index.html'],
  ],
];

/** Why a build is needed (a missing or older output), or null when every output is current. */
export function buildNeeded() {
  for (const [output, sources] of BUILD_OUTPUTS) {
    const outPath = join(ROOT, output);
    if (!existsSync(outPath)) return `${output} is missing`;
    // tsc -b rewrites only the outputs of changed files: compare against the newest output.
    const built = newestMtime(dirname(outPath));
    for (const source of sources) {
      const newest = newestMtime(join(ROOT, source));
      if (newest > built) return `${source} changed since ${output} was built`;
    }
  }
  return null;
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}
