#!/usr/bin/env node
import { runService } from '@autobot/service-kit';
import { getTracingService } from '@autobot/tracing';
import { buildBrowserApp, SERVICE_NAME } from './app.js';
import { chooseLoader } from './choose-loader.js';
import { resolveBrowserWorkerConfig } from './config.js';

const config = resolveBrowserWorkerConfig();
for (const line of config.warnings) process.stderr.write(`${SERVICE_NAME}: ${line}\n`);
getTracingService().initialize({ serviceName: SERVICE_NAME, serviceVersion: '2.0.0', handleSignals: false });
let loader: Awaited<ReturnType<typeof chooseLoader>>;
try {
  loader = await chooseLoader(config);
} catch (error) {
  process.stderr.write(`${SERVICE_NAME}: ${(error as Error).message}\n`);
  await getTracingService().shutdown();
  process.exit(1);
}
if (loader.fallbackReason) {
  process.stderr.write(`${SERVICE_NAME}: loading pages with plain HTTP fetch (${loader.fallbackReason})\n`);
}
const app = buildBrowserApp(config, loader, { logger: true });
await runService({
  serviceName: SERVICE_NAME,
  app,
  host: config.host,
  port: config.port,
  portVariable: 'AUTOBOT_BROWSER_PORT',
  details: { engine: loader.engine },
  onClose: () => loader.close(),
});
