// Per-call cost of @autobot/llm's tracing against the raw official clients, same run, same
// dev model (tokenDelayMs 0, so the server is as fast as it gets and overhead is most visible).
// Usage: npm run build && node packages/llm/bench/overhead.mjs [calls]
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BatchSpanProcessor, InMemorySpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { startDevModel } from 'autobot-dev-model';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { createLlmClient } from '../dist/index.js';

const calls = Number(process.argv[2] ?? 300);
const dev = await startDevModel({ port: 0, tokenDelayMs: 0 });
const messages = [{ role: 'user', content: 'Explain tracing.' }];

async function time(label, fn) {
  for (let i = 0; i < 30; i++) await fn(); // warm-up
  const start = performance.now();
  for (let i = 0; i < calls; i++) await fn();
  const perCall = (performance.now() - start) / calls;
  return { label, perCallMs: perCall };
}

const ollama = new Ollama({ host: dev.url });
const openai = new OpenAI({ baseURL: `${dev.url}/v1`, apiKey: 'x' });
const drain = async (it) => {
  for await (const _ of it);
};

const results = [];
const run = async (suffix) => {
  const llmO = createLlmClient({ provider: 'ollama', ollamaUrl: dev.url }, {});
  const llmA = createLlmClient({ provider: 'openai', openaiBaseUrl: `${dev.url}/v1` }, {});
  results.push(
    await time(`ollama chat raw client`, () => ollama.chat({ model: 'm', messages, stream: false })),
  );
  results.push(await time(`ollama chat @autobot/llm ${suffix}`, () => llmO.chat({ model: 'm', messages })));
  results.push(
    await time(`ollama stream raw client`, async () =>
      drain(await ollama.chat({ model: 'm', messages, stream: true })),
    ),
  );
  results.push(
    await time(`ollama stream @autobot/llm ${suffix}`, async () =>
      drain(await llmO.chat({ model: 'm', messages, stream: true })),
    ),
  );
  results.push(
    await time(`openai chat raw client`, () => openai.chat.completions.create({ model: 'm', messages })),
  );
  results.push(await time(`openai chat @autobot/llm ${suffix}`, () => llmA.chat({ model: 'm', messages })));
  results.push(
    await time(`openai stream raw client`, async () =>
      drain(
        await openai.chat.completions.create({
          model: 'm',
          messages,
          stream: true,
          stream_options: { include_usage: true },
        }),
      ),
    ),
  );
  results.push(
    await time(`openai stream @autobot/llm ${suffix}`, async () =>
      drain(await llmA.chat({ model: 'm', messages, stream: true })),
    ),
  );
};

await run('(no tracer provider)');
results.length = 0; // the first round is JIT warm-up for everything
await run('(no tracer provider)');
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
await run('(traced, BatchSpanProcessor)');
await provider.shutdown();
await dev.close();

console.log(`node ${process.version}, ${calls} sequential calls each, dev model tokenDelayMs 0`);
let base = 1;
for (const r of results) {
  // Each @autobot/llm row is compared with the raw-client row measured just before it.
  if (r.label.includes('raw client')) base = r.perCallMs;
  const extra = r.perCallMs - base;
  console.log(
    `${r.label.padEnd(56)} ${r.perCallMs.toFixed(3)} ms/call  ×${(r.perCallMs / base).toFixed(2)}  (+${extra.toFixed(3)} ms)`,
  );
}
