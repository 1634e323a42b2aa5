#!/usr/bin/env node
import { runService } from '@autobot/service-kit';
import { getTracingService } from '@autobot/tracing';
import { buildNpuWorkerApp, SERVICE_NAME } from './app.js';
import { resolveNpuWorkerConfig } from './config.js';

const config = resolveNpuWorkerConfig();
for (const line of config.warnings) process.stderr.write(`${SERVICE_NAME}: ${line}\n`);
getTracingService().initialize({ serviceName: SERVICE_NAME, serviceVersion: '2.0.0', handleSignals: false });
const app = buildNpuWorkerApp(config, { logger: true });
await runService({
  serviceName: SERVICE_NAME,
  app,
  host: config.host,
  port: config.port,
  portVariable: 'AUTOBOT_NPU_WORKER_PORT',
  details: { dimensions: config.dimensions },
});
