// What the launcher (scripts/start.mjs) runs: the stack's URLs, the five services with their
// entry points and environments, and the health routes it waits for. Data only: no process here.

/** Every URL of the stack on `host`, from its resolved ports. */
export function stackUrls(ports, host) {
  const url = (port) => `http://${host}:${port}`;
  return {
    frontend: url(ports.frontend),
    viewer: url(ports.query),
    backend: url(ports.backend),
    aiStack: url(ports.aiStack),
    npuWorker: url(ports.npuWorker),
    browser: url(ports.browser),
    devModel: url(ports.devModel),
    otlpGrpc: url(ports.grpc),
    otlpHttp: `${url(ports.otlpHttp)}/v1/traces`,
  };
}

/**
 * The services in start order, each `{ name, entry, env }`: the three workers, then the backend
 * (which calls them), then the frontend (which calls the backend).
 */
export function servicePlan(ports, urls, config, redisUrl, host) {
  const common = {
    AUTOBOT_JAEGER_ENDPOINT: urls.otlpGrpc,
    AUTOBOT_TRACE_SCHEDULE_DELAY_MS: config.scheduleDelayMs,
    AUTOBOT_DEV_MODEL_URL: urls.devModel,
  };
  const workers = [
    {
      name: 'npu-worker',
      entry: 'services/npu-worker/dist/main.js',
      env: { ...common, AUTOBOT_NPU_WORKER_HOST: host, AUTOBOT_NPU_WORKER_PORT: String(ports.npuWorker) },
    },
    {
      name: 'ai-stack',
      entry: 'services/ai-stack/dist/main.js',
      env: { ...common, AUTOBOT_AI_STACK_HOST: host, AUTOBOT_AI_STACK_PORT: String(ports.aiStack) },
    },
    {
      name: 'browser',
      entry: 'services/browser/dist/main.js',
      env: { ...common, AUTOBOT_BROWSER_HOST: host, AUTOBOT_BROWSER_PORT: String(ports.browser) },
    },
  ];
  const backend = {
    name: 'backend',
    entry: 'services/backend/dist/main.js',
    env: {
      ...common,
      AUTOBOT_BACKEND_HOST: host,
      AUTOBOT_BACKEND_PORT: String(ports.backend),
      AUTOBOT_REDIS_URL: redisUrl,
      AUTOBOT_AI_STACK_URL: urls.aiStack,
      AUTOBOT_NPU_WORKER_URL: urls.npuWorker,
      AUTOBOT_BROWSER_URL: urls.browser,
      AUTOBOT_CORS_ORIGINS: `${urls.frontend},http://localhost:${ports.frontend}`,
    },
  };
  const frontend = {
    name: 'frontend',
    entry: 'services/frontend/dist/node/main.js',
    env: {
      AUTOBOT_FRONTEND_HOST: host,
      AUTOBOT_FRONTEND_PORT: String(ports.frontend),
      AUTOBOT_BACKEND_PUBLIC_URL: urls.backend,
      // The page exports to /v1/traces on the frontend's origin; the frontend relays it here with
      // its own credentials, so the collector needs no CORS (services/frontend README, the relay).
      AUTOBOT_FRONTEND_RELAY_URL: urls.otlpHttp,
      AUTOBOT_VIEWER_URL: urls.viewer,
    },
  };
  return { workers, backend, frontend };
}

/** `[name, url]` of every health route the launcher waits for before it says "ready". */
export function healthRoutes(urls) {
  return [
    ['collector', `${urls.viewer}/health`],
    ['npu-worker', `${urls.npuWorker}/api/health`],
    ['ai-stack', `${urls.aiStack}/api/health`],
    ['browser', `${urls.browser}/api/health`],
    ['backend', `${urls.backend}/api/health`],
    ['frontend', `${urls.frontend}/api/health`],
  ];
}
