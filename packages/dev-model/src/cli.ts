#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startDevModel } from './server.js';

const USAGE = `usage: autobot-dev-model [--port N] [--host H] [--token-delay-ms N] [--strict-models]

Ollama- and OpenAI-compatible server with canned, deterministic answers (not a language model).
Prints one JSON line {"event":"listening","port":N,"url":"..."} on stdout when ready.`;

function fail(message: string): never {
  process.stderr.write(`autobot-dev-model: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function intArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    fail(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'token-delay-ms': { type: 'string' },
        'strict-models': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const server = await startDevModel({
    port: intArg(values.port as string | undefined, '--port'),
    host: values.host as string | undefined,
    tokenDelayMs: intArg(values['token-delay-ms'] as string | undefined, '--token-delay-ms'),
    strictModels: values['strict-models'] === true,
  });
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: server.port, url: server.url })}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(0), 2000);
    timer.unref();
    server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`autobot-dev-model: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
