#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { runService } from '@autobot/service-kit';
import { buildFrontendApp, SERVICE_NAME } from './app.js';
import { resolveFrontendConfig } from './config.js';

const config = resolveFrontendConfig(fileURLToPath(new URL('../web', import.meta.url)));
for (const line of config.warnings) process.stderr.write(`${SERVICE_NAME}: ${line}\n`);
const app = buildFrontendApp(config, { logger: true });
await runService({
  serviceName: SERVICE_NAME,
  app,
  host: config.host,
  port: config.port,
  portVariable: 'AUTOBOT_FRONTEND_PORT',
  details: { backendUrl: config.backendUrl, otlpUrl: config.otlpUrl },
});
