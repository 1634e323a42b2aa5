#!/usr/bin/env node
import { createLlmClient } from '@autobot/llm';
import { runService } from '@autobot/service-kit';
import { getTracingService } from '@autobot/tracing';
import { buildAiStackApp, SERVICE_NAME } from './app.js';
import { resolveAiStackConfig } from './config.js';

const config = resolveAiStackConfig();
for (const line of config.warnings) process.stderr.write(`${SERVICE_NAME}: ${line}\n`);
getTracingService().initialize({ serviceName: SERVICE_NAME, serviceVersion: '2.0.0', handleSignals: false });
const llm = createLlmClient(config.ollamaUrl === '' ? {} : { ollamaUrl: config.ollamaUrl });
const app = buildAiStackApp(config, llm, { logger: true });
await runService({
  serviceName: SERVICE_NAME,
  app,
  host: config.host,
  port: config.port,
  portVariable: 'AUTOBOT_AI_STACK_PORT',
  details: {
    provider: llm.provider,
    model: llm.config.model,
    modelUrl: llm.provider === 'ollama' ? llm.config.ollamaUrl : llm.config.openaiBaseUrl,
  },
});
