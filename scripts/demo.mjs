#!/usr/bin/env node
// `npm run demo`: one scripted chat request through the running stack (the one `npm start` wrote
// to .autobot/stack.json), its streamed answer, then the trace tree from the collector.
// When no stack is running, it starts one with `scripts/start.mjs`, runs, and stops it again.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { onLines, ROOT, readState } from './lib/stack.mjs';

const EXPECTED_SERVICES = ['autobot-backend', 'autobot-npu-worker', 'autobot-ai-stack', 'autobot-browser'];

async function healthy(state) {
  try {
    const response = await fetch(`${state.urls.backend}/api/health`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Start the stack ourselves; resolves with its state and a stop function. */
function startStack() {
  process.stdout.write('no running stack found: starting one (scripts/start.mjs) for this demo…\n');
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), '--json'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    onLines(child.stdout, (line) => {
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        return;
      }
      if (event.event === 'ready') resolve({ state: event, stop });
      if (event.event === 'error') reject(new Error(event.message));
    });
    child.once('exit', (code) => reject(new Error(`the stack stopped (code ${code}) before it was ready`)));
  });
}

/** Poll the collector until the trace has every expected service and its span count settled. */
async function waitForTrace(viewerUrl, traceId, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let lastCount = -1;
  let trace;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${viewerUrl}/api/traces/${traceId}`);
      if (response.ok) {
        trace = (await response.json()).data?.[0];
        const services = new Set(Object.values(trace?.processes ?? {}).map((p) => p.serviceName));
        const count = trace?.spans.length ?? 0;
        if (EXPECTED_SERVICES.every((s) => services.has(s)) && count === lastCount) return trace;
        lastCount = count;
      }
    } catch {
      // collector busy: try again
    }
    await new Promise((r) => setTimeout(r, 400));
  }
  return trace;
}

async function main() {
  let state = readState();
  let stop = async () => {};
  if (!state || !(await healthy(state))) ({ state, stop } = await startStack());
  const message = `Summarise the page at ${state.urls.frontend}/demo/page.html in one sentence.`;
  process.stdout.write(`\n> ${message}\n`);
  const response = await fetch(`${state.urls.backend}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message }),
  });
  const traceId = response.headers.get('traceresponse')?.split('-')[1];
  let failed = !response.ok;
  if (!response.ok) {
    process.stdout.write(`backend answered HTTP ${response.status}: ${await response.text()}\n`);
  } else {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const item = JSON.parse(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        if (item.type === 'meta') {
          const page = item.page?.title
            ? `page "${item.page.title}" via ${item.page.engine}`
            : item.page?.error?.message;
          process.stdout.write(`  [embedding ${item.embedding.dimensions}-d${page ? `; ${page}` : ''}]\n< `);
        } else if (item.type === 'chunk') process.stdout.write(item.content);
        else if (item.type === 'done') {
          const u = item.usage;
          process.stdout.write(
            u ? `\n  [${u.promptTokens} prompt + ${u.completionTokens} completion tokens]\n` : '\n',
          );
        } else if (item.type === 'error') {
          failed = true;
          process.stdout.write(`\n  error ${item.code}: ${item.message}\n`);
        }
      }
    }
  }
  if (!traceId) {
    process.stdout.write('no traceresponse header: is tracing disabled (AUTOBOT_TRACE_ENABLED=false)?\n');
    await stop();
    process.exit(1);
  }
  process.stdout.write(`\nwaiting for trace ${traceId} at the collector…\n\n`);
  await waitForTrace(state.urls.viewer, traceId);
  const show = spawnSync(
    process.execPath,
    [join(ROOT, 'packages/collector/dist/cli/main.js'), 'show', traceId, '--url', state.urls.viewer],
    { stdio: 'inherit' },
  );
  process.stdout.write(`\nopen it: ${state.urls.viewer}/trace/${traceId}\n`);
  await stop();
  process.exit(failed || show.status !== 0 ? 1 : 0);
}

main().catch((error) => {
  process.stderr.write(`npm run demo: ${error.message}\n`);
  process.exit(1);
});
