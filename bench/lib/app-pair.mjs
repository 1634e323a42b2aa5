// Start the A → B service pair of bench/apps/app.cjs in one tracing configuration.
import { fileURLToPath } from 'node:url';
import { startNode, stopProcess, waitForLine } from './procs.mjs';

const APP = fileURLToPath(new URL('../apps/app.cjs', import.meta.url));

/** Environment with every tracing variable of the parent removed, so each config is explicit. */
function cleanEnv() {
  const env = {};
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('AUTOBOT_') || key.startsWith('OTEL_')) env[key] = undefined;
  }
  return env;
}

/**
 * The environment and node flags of one configuration.
 * `config`: { id, trace: 'none' | 'context' | 'ours' | 'auto', rate, endpoint?, extraEnv? }
 * `collector`: the collector's { httpUrl, grpcUrl } (ours exports OTLP/HTTP protobuf by default,
 * like auto-instrumentations, so both pay the same exporter cost).
 */
export function configEnv(config, collector, role) {
  const service = `bench-${role}-${config.id}`;
  const env = { ...cleanEnv(), TRACE: config.trace, ROLE: role, SERVICE_NAME: service };
  const nodeArgs = [...(config.nodeArgs ?? [])];
  if (config.trace === 'ours') {
    env.AUTOBOT_JAEGER_ENDPOINT = config.endpoint ?? collector.httpUrl;
    env.AUTOBOT_TRACE_SAMPLE_RATE = String(config.rate);
    env.AUTOBOT_ENV = 'production';
  } else if (config.trace === 'auto') {
    nodeArgs.push('--require', '@opentelemetry/auto-instrumentations-node/register');
    Object.assign(env, {
      OTEL_SERVICE_NAME: service,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.httpUrl.replace(/\/v1\/traces$/, ''),
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: String(config.rate),
      // Traces only: the comparison is about tracing, and our collector takes no metrics/logs.
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    });
  }
  Object.assign(env, config.extraEnv ?? {});
  return { env, nodeArgs, service };
}

/**
 * Start B, then A pointing at B, under the Node binary `node` (default: this one).
 * Returns { a, b, url, services, stop() }.
 */
export async function startPair(config, { collector, redisUrl, node }) {
  const bConf = configEnv(config, collector, 'b');
  const b = startNode(APP, { nodeArgs: bConf.nodeArgs, env: bConf.env, node });
  const bUp = await waitForLine(b, (l) => l.event === 'listening', 60_000);
  const aConf = configEnv(config, collector, 'a');
  const a = startNode(APP, {
    node,
    nodeArgs: aConf.nodeArgs,
    env: { ...aConf.env, REDIS_URL: redisUrl, DOWNSTREAM_URL: bUp.url },
  });
  const aUp = await waitForLine(a, (l) => l.event === 'listening', 60_000);
  return {
    config,
    a,
    b,
    url: aUp.url,
    bUrl: bUp.url,
    services: [aConf.service, bConf.service],
    async metrics() {
      const [ma, mb] = await Promise.all(
        [aUp.url, bUp.url].map(async (u) => (await fetch(`${u}/metrics`)).json()),
      );
      return { a: ma, b: mb };
    },
    async stop() {
      await stopProcess(a, 'SIGTERM', 15_000);
      await stopProcess(b, 'SIGTERM', 15_000);
    },
  };
}
