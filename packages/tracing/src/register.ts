/**
 * `node --import @autobot/tracing/register dist/main.js`: traced before the program's modules load.
 *
 * 1. Registers the import-in-the-middle ESM hook (`@opentelemetry/instrumentation/hook.mjs`)
 *    first, so any official OpenTelemetry instrumentation the program adds can patch ES modules.
 * 2. Initializes the TracingService from the environment (`OTEL_SERVICE_NAME`, `AUTOBOT_*`);
 *    the service name falls back to the `name` in `./package.json`.
 * 3. Instruments every Fastify app, ioredis client and fetch, and once the program has loaded
 *    checks that this took effect, with a warning if not.
 */
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { autoInstrument } from './instrumentation/auto-instrument.js';
import { warn } from './logger.js';
import { getTracingService } from './tracing-service.js';

try {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
} catch (error) {
  warn(`ESM instrumentation hook not registered: ${(error as Error)?.message ?? error}`);
}

const tracing = getTracingService();
if (tracing.initialize({ serviceName: process.env.OTEL_SERVICE_NAME ? undefined : packageName() })) {
  const check = autoInstrument(tracing);
  // ESM gives no "main module loaded" event; a second later the program has created its apps.
  setTimeout(check, 1000).unref();
}

function packageName(): string | undefined {
  try {
    const { name } = JSON.parse(readFileSync('package.json', 'utf8')) as { name?: unknown };
    return typeof name === 'string' && name.trim() !== '' ? name.replace(/^@[^/]+\//, '') : undefined;
  } catch {
    return undefined;
  }
}
