#!/usr/bin/env node
import { runService } from '@autobot/service-kit';
import { getTracingService } from '@autobot/tracing';
import { buildBackendApp, SERVICE_NAME } from './app.js';
import { resolveBackendConfig } from './config.js';
import { createConversationStore } from './conversation-store.js';
import { Downstreams } from './downstream.js';

const config = resolveBackendConfig();
for (const line of config.warnings) process.stderr.write(`${SERVICE_NAME}: ${line}\n`);
// The spec's initialization: initialize, then instrumentAll(app) inside buildBackendApp.
getTracingService().initialize({ serviceName: SERVICE_NAME, serviceVersion: '2.0.0', handleSignals: false });
const store = createConversationStore(config.redisUrl);
if (store.kind === 'memory') {
  process.stderr.write(
    `${SERVICE_NAME}: AUTOBOT_REDIS_URL=memory: conversations stay in this process, no Redis spans\n`,
  );
}
const downstreams = new Downstreams(
  { 'ai-stack': config.aiStackUrl, 'npu-worker': config.npuWorkerUrl, browser: config.browserUrl },
  config.downstreamTimeoutMs,
);
const app = buildBackendApp({ config, store, downstreams }, { logger: true });
await runService({
  serviceName: SERVICE_NAME,
  app,
  host: config.host,
  port: config.port,
  portVariable: 'AUTOBOT_BACKEND_PORT',
  details: { store: store.kind },
  onClose: async () => {
    await downstreams.close();
    await store.close();
  },
});
