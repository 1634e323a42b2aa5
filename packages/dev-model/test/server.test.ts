import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseNdjson } from '@autobot/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFor, countPromptTokens, type DevModelServer, startDevModel, tokenize } from '../src/index.js';

/** One line of a streamed `/api/chat` answer (Ollama's NDJSON). */
interface ChatChunk {
  message: { content: string };
  done?: boolean;
  done_reason?: string;
  eval_count?: number;
  error?: string;
}

let server: DevModelServer;
beforeAll(async () => {
  server = await startDevModel({ port: 0, tokenDelayMs: 1 });
});
afterAll(async () => {
  await server?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'What is tracing?' },
];

describe('identity', () => {
  it('says plainly what it is', async () => {
    const version = await (await fetch(`${server.url}/api/version`)).json();
    expect(version.version).toContain('autobot-dev-model');
    expect(version.description).toMatch(/not a language model/i);
    const tags = await (await fetch(`${server.url}/api/tags`)).json();
    expect(tags.models.length).toBeGreaterThan(0);
    const models = await (await fetch(`${server.url}/v1/models`)).json();
    expect(models.data[0].owned_by).toBe('autobot-dev-model');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

describe('ollama api', () => {
  it('answers deterministically with realistic counts and nanosecond durations', async () => {
    const a = await (await post('/api/chat', { model: 'm', messages, stream: false })).json();
    const b = await (await post('/api/chat', { model: 'm', messages, stream: false })).json();
    expect(a.message.content).toBe(b.message.content);
    expect(a.message.content).toBe(answerFor('What is tracing?'));
    expect(a.eval_count).toBe(tokenize(a.message.content).length);
    expect(a.prompt_eval_count).toBe(4 + 3 + 4 + 3);
    expect(a.done_reason).toBe('stop');
    expect(a.total_duration).toBeGreaterThanOrEqual(a.eval_duration + a.prompt_eval_duration);
    expect(a.eval_duration).toBeGreaterThan(1_000_000); // ≥ 1 ms per token in ns
  });

  it('streams NDJSON token by token and ends with a done chunk (streaming is the default)', async () => {
    const res = await post('/api/chat', { model: 'm', messages, options: { num_predict: 4 } });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = parseNdjson<ChatChunk>(await res.text());
    expect(lines).toHaveLength(5);
    const last = lines.at(-1);
    expect(last?.done).toBe(true);
    expect(last?.done_reason).toBe('length');
    expect(last?.eval_count).toBe(4);
    expect(
      lines
        .slice(0, 4)
        .map((l) => l.message.content)
        .join(''),
    ).toBe(tokenize(answerFor('What is tracing?')).slice(0, 4).join(''));
  });

  it('serves generate and embed', async () => {
    const gen = await (await post('/api/generate', { model: 'm', prompt: 'hello', stream: false })).json();
    expect(gen.response).toBe(answerFor('hello'));
    const emb = await (await post('/api/embed', { model: 'm', input: ['a', 'b'] })).json();
    expect(emb.embeddings).toHaveLength(2);
    expect(emb.embeddings[0]).toHaveLength(64);
  });

  it('rejects bad input with 400 and an error body', async () => {
    const res = await post('/api/chat', '{nope');
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/JSON/);
    expect((await post('/api/chat', { messages })).status).toBe(400);
    expect((await post('/api/chat', 'x'.repeat(1024 * 1024 + 10))).status).toBe(413);
  });
});

describe('openai api', () => {
  it('answers chat completions with usage', async () => {
    const body = await (await post('/v1/chat/completions', { model: 'm', messages, max_tokens: 3 })).json();
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0].finish_reason).toBe('length');
    expect(body.usage).toEqual({
      prompt_tokens: 14,
      completion_tokens: 3,
      total_tokens: 17,
      // The messages before the last one count as the cached prefix.
      prompt_tokens_details: { cached_tokens: countPromptTokens(messages.slice(0, -1)), audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    });
  });

  it('reports reasoning tokens for reasoning_effort and for o-series models, inside completion_tokens', async () => {
    const ask = async (extra: Record<string, unknown>) =>
      (await (await post('/v1/chat/completions', { model: 'm', messages, max_tokens: 3, ...extra })).json())
        .usage;
    const high = await ask({ reasoning_effort: 'high' });
    expect(high.completion_tokens_details.reasoning_tokens).toBe(32);
    expect(high.completion_tokens).toBe(3 + 32);
    expect((await ask({ model: 'o3-mini' })).completion_tokens_details.reasoning_tokens).toBe(16);
    const bad = await post('/v1/chat/completions', { model: 'm', messages, reasoning_effort: 'max' });
    expect(bad.status).toBe(400);
  });

  it('streams SSE with a final usage chunk when include_usage is set', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'm',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const events = (await res.text()).trim().split('\n\n');
    expect(events.at(-1)).toBe('data: [DONE]');
    const usage = JSON.parse(String(events.at(-2)).slice(6));
    expect(usage.choices).toEqual([]);
    expect(usage.usage.completion_tokens).toBe(tokenize(answerFor('What is tracing?')).length);
  });
});

describe('faults', () => {
  it('delays', async () => {
    const start = Date.now();
    await (
      await post('/api/chat', { model: 'm', messages, stream: false }, { 'x-dev-model-fault': 'delay=150' })
    ).json();
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);
  });

  it('answers an error status in each API style, with Retry-After on 429', async () => {
    const o = await post('/api/chat', { model: 'm', messages }, { 'x-dev-model-fault': 'status=404' });
    expect(o.status).toBe(404);
    expect((await o.json()).error).toMatch(/not found/);
    const r = await post(
      '/v1/chat/completions',
      { model: 'm', messages },
      { 'x-dev-model-fault': 'status=429,retry-after=3' },
    );
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('3');
    expect((await r.json()).error.code).toBe('rate_limit_exceeded');
  });

  it('writes a mid-stream error line (magic words in the prompt work too)', async () => {
    const res = await post('/api/chat', {
      model: 'm',
      messages: [{ role: 'user', content: 'hi [[dev-model:error-after=2]]' }],
    });
    const lines = parseNdjson<ChatChunk>(await res.text());
    expect(lines).toHaveLength(3);
    expect(lines[2]?.error).toMatch(/injected/);
  });

  it('drops the connection mid-stream', async () => {
    const res = await post('/api/chat', { model: 'm', messages }, { 'x-dev-model-fault': 'drop-after=2' });
    await expect(res.text()).rejects.toThrow();
  });

  it('applies a fault only the first N times for an id', async () => {
    const h = { 'x-dev-model-fault': 'status=503,times=1,id=once-test' };
    expect((await post('/v1/chat/completions', { model: 'm', messages }, h)).status).toBe(503);
    expect((await post('/v1/chat/completions', { model: 'm', messages }, h)).status).toBe(200);
  });

  it('rejects a malformed fault spec with 400', async () => {
    const res = await post('/api/chat', { model: 'm', messages }, { 'x-dev-model-fault': 'delay=soon' });
    expect(res.status).toBe(400);
  });
});

describe('strict models', () => {
  it('answers model not found for unlisted models', async () => {
    const strict = await startDevModel({
      port: 0,
      tokenDelayMs: 0,
      models: ['a:latest'],
      strictModels: true,
    });
    try {
      const r = await fetch(`${strict.url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({ model: 'b', messages, stream: false }),
      });
      expect(r.status).toBe(404);
      const ok = await fetch(`${strict.url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({ model: 'a', messages, stream: false }),
      });
      expect(ok.status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('cli', () => {
  it('prints one listening line and stops on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    const child = spawn(process.execPath, [cli, '--port', '0', '--token-delay-ms', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const event = JSON.parse(line);
      expect(event.event).toBe('listening');
      expect(event.url).toBe(`http://127.0.0.1:${event.port}`);
      expect((await fetch(`${event.url}/health`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
