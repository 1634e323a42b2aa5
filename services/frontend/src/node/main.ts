#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { runService } from '@autobot/service-kit';
import { redactUrl } from '@autobot/tracing';
import { buildFrontendApp } from './app.js';
import { resolveFrontendConfig, SERVICE_NAME } from './config.js';

const config = resolveFrontendConfig(fileURLToPath(new URL('../web', import.meta.url)));
for (const line of config.warnings) process.stderr.write(`${SERVICE_NAME}: ${line}\n`);
const app = buildFrontendApp(config, { logger: true });
await runService({
  serviceName: SERVICE_NAME,
  app,
  host: config.host,
  port: config.port,
  portVariable: 'AUTOBOT_FRONTEND_PORT',
  // The relay's target URL only (credentials in it redacted): its headers and TLS material are never printed.
  details: {
    backendUrl: config.backendUrl,
    otlpUrl: config.otlpUrl,
    relayTarget: redactUrl(config.relay.targetUrl),
  },
});
