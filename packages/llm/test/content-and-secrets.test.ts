import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createLlmClient, TRUNCATION_MARKER } from '../src/index.js';
import { inferenceSpans, serializeSpans, useHarness } from './helpers.js';

const h = useHarness();

const SECRET_PROMPT = 'my secret plan is to zebra-crossing at midnight';

const client = (provider: 'ollama' | 'openai', extra = {}, env = {}) =>
  createLlmClient({ provider, ollamaUrl: h.dev.url, openaiBaseUrl: `${h.dev.url}/v1`, ...extra }, env);

describe.each(['ollama', 'openai'] as const)('content capture (%s)', (provider) => {
  it('is off by default: no message text in any exported span, only counts and lengths', async () => {
    const llm = client(provider);
    const response = await llm.chat({ messages: [{ role: 'user', content: SECRET_PROMPT }] });
    const chunks = [];
    for await (const c of await llm.chat({
      messages: [{ role: 'user', content: SECRET_PROMPT }],
      stream: true,
    })) {
      chunks.push(c);
    }
    const text = serializeSpans(h.exporter.getFinishedSpans());
    expect(text).not.toContain('zebra');
    expect(text).not.toContain(response.content.slice(0, 30));
    for (const span of inferenceSpans(h.exporter)) {
      expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(span.attributes['gen_ai.output.messages']).toBeUndefined();
      expect(span.attributes['llm.response_length']).toBe(response.content.length);
    }
  });

  it('is on when asked (option or env), as GenAI message JSON', async () => {
    for (const llm of [
      client(provider, { captureContent: true }),
      client(provider, {}, { AUTOBOT_TRACE_CAPTURE_CONTENT: 'true' }),
    ]) {
      h.exporter.reset();
      const response = await llm.chat({
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: SECRET_PROMPT },
        ],
        stream: true,
      });
      let answer = '';
      for await (const c of response) answer += c.content;
      const [span] = inferenceSpans(h.exporter);
      expect(JSON.parse(String(span?.attributes['gen_ai.input.messages']))).toEqual([
        { role: 'system', parts: [{ type: 'text', content: 'be brief' }] },
        { role: 'user', parts: [{ type: 'text', content: SECRET_PROMPT }] },
      ]);
      expect(JSON.parse(String(span?.attributes['gen_ai.output.messages']))).toEqual([
        { role: 'assistant', parts: [{ type: 'text', content: answer }], finish_reason: 'stop' },
      ]);
    }
  });

  it('truncates captured text to contentMaxChars and stays valid JSON', async () => {
    const llm = client(provider, { captureContent: true, contentMaxChars: 10 });
    await llm.chat({ messages: [{ role: 'user', content: SECRET_PROMPT }] });
    const [span] = inferenceSpans(h.exporter);
    const input = JSON.parse(String(span?.attributes['gen_ai.input.messages']));
    expect(input[0].parts[0].content).toBe(`${SECRET_PROMPT.slice(0, 10)}${TRUNCATION_MARKER}`);
    const output = JSON.parse(String(span?.attributes['gen_ai.output.messages']));
    expect(output[0].parts[0].content.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(output[0].parts[0].content.length).toBe(10 + TRUNCATION_MARKER.length);
  });
});

describe('secrets', () => {
  it('a canary API key never appears in exported spans or warnings, success and failure alike', async () => {
    const canary = 'sk-canary-7f3a9c1e5b2d4680aa11';
    const warnings: string[] = [];
    const llm = createLlmClient(
      { provider: 'openai', openaiBaseUrl: `${h.dev.url}/v1`, logger: { warn: (m) => warnings.push(m) } },
      { OPENAI_API_KEY: canary, AUTOBOT_LLM_TIMEOUT_MS: 'soon', AUTOBOT_TRACE_CAPTURE_CONTENT: 'true' },
    );
    await llm.chat({ messages: [{ role: 'user', content: 'hello' }] });
    for await (const _ of await llm.chat({ messages: [{ role: 'user', content: 'hello' }], stream: true })) {
      // drain
    }
    await llm.chat({ messages: [{ role: 'user', content: '[[dev-model:status=401]]' }] }).catch(() => {});
    await llm.embed({ input: 'x' });
    const down = createLlmClient(
      { provider: 'openai', openaiBaseUrl: 'http://127.0.0.1:1/v1', maxRetries: 0 },
      { OPENAI_API_KEY: canary },
    );
    await down.chat({ messages: [{ role: 'user', content: 'hello' }] }).catch(() => {});
    const spans = h.exporter.getFinishedSpans();
    expect(spans.length).toBe(5);
    expect(serializeSpans(spans)).not.toContain(canary);
    expect(serializeSpans(spans)).not.toContain('canary');
    expect(warnings.join('\n')).not.toContain(canary);
    expect(warnings.length).toBe(1);
  });

  it('the 401 answer maps to AUTOBOT_ERR_LLM_AUTH', async () => {
    const llm = client('openai', { openaiApiKey: 'sk-wrong' });
    await expect(
      llm.chat({ messages: [{ role: 'user', content: '[[dev-model:status=401]]' }] }),
    ).rejects.toMatchObject({
      code: 'AUTOBOT_ERR_LLM_AUTH',
      status: 401,
    });
  });
});

describe('official openai client against the dev model, unchanged', () => {
  it('lists models, completes, streams with usage, embeds', async () => {
    const openai = new OpenAI({ baseURL: `${h.dev.url}/v1`, apiKey: 'unused' });
    const models = await openai.models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const completion = await openai.chat.completions.create({
      model: models.data[0]?.id ?? 'x',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 4,
    });
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(4);
    const stream = await openai.chat.completions.create({
      model: 'x',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text.startsWith(completion.choices[0]?.message.content ?? '?')).toBe(true);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? -1));
    const emb = await openai.embeddings.create({ model: 'x', input: 'hello' });
    expect(emb.data[0]?.embedding).toHaveLength(64);
    // A mid-stream error reaches the official client as an APIError.
    const broken = await openai.chat.completions.create({
      model: 'x',
      messages: [{ role: 'user', content: 'hi [[dev-model:error-after=1]]' }],
      stream: true,
    });
    await expect(
      (async () => {
        for await (const _ of broken) {
          // drain
        }
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
  });
});
