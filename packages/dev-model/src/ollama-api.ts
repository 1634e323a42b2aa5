import type { ServerResponse } from 'node:http';
import { countPromptTokens, embedText, lastUserText, type PromptMessage, tokenize } from './canned.js';
import { DEV_MODEL_NAME, DEV_MODEL_VERSION, isKnownModel, type ServerContext } from './context.js';
import type { FaultSpec } from './faults.js';
import { type Generation, generateWholeOrFault, startGeneration, streamTokens } from './generation.js';
import { elapsedNs, HttpError, optionalCount, sendJson } from './http-util.js';

/** The Ollama API's error body. */
export function ollamaError(res: ServerResponse, status: number, message: string, headers = {}): void {
  sendJson(res, status, { error: message }, headers);
}

function requireModel(body: Record<string, unknown>): string {
  if (typeof body.model !== 'string' || !body.model) throw new HttpError(400, 'model is required');
  return body.model;
}

function options(body: Record<string, unknown>): Record<string, unknown> {
  const opts = body.options;
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts)) throw new HttpError(400, 'options must be an object');
  return opts as Record<string, unknown>;
}

/** Ollama's own message for a missing model. */
export function ollamaModelNotFound(model: string): string {
  return `model "${model}" not found, try pulling it first`;
}

function finalFields(gen: Generation): Record<string, unknown> {
  const { timing } = gen;
  const end = timing.end ?? process.hrtime.bigint();
  const firstToken = timing.firstToken ?? end;
  return {
    done_reason: gen.completion.finishReason,
    done: true,
    total_duration: elapsedNs(timing.requestStart, end),
    load_duration: elapsedNs(timing.requestStart, timing.generationStart),
    prompt_eval_count: gen.promptTokens,
    prompt_eval_duration: elapsedNs(timing.generationStart, firstToken),
    eval_count: gen.completion.tokens.length,
    eval_duration: elapsedNs(firstToken, end),
  };
}

/** Input of a chat or generate call, parsed by {@link parseOllamaRequest}. */
export interface OllamaRequest {
  kind: 'chat' | 'generate';
  model: string;
  stream: boolean;
  prompt: string;
  promptTokens: number;
  maxTokens: number | undefined;
}

/** Parses `/api/chat` or `/api/generate` input (400 on bad shape). Ollama streams by default. */
export function parseOllamaRequest(kind: 'chat' | 'generate', body: Record<string, unknown>): OllamaRequest {
  const model = requireModel(body);
  const maxTokens = optionalCount(options(body).num_predict, 'options.num_predict');
  const stream = body.stream === undefined ? true : body.stream === true;
  if (kind === 'chat') {
    if (!Array.isArray(body.messages)) throw new HttpError(400, 'messages must be an array');
    const messages = body.messages as PromptMessage[];
    const prompt = lastUserText(messages);
    return { kind, model, stream, prompt, promptTokens: countPromptTokens(messages), maxTokens };
  }
  if (body.prompt !== undefined && typeof body.prompt !== 'string')
    throw new HttpError(400, 'prompt must be a string');
  const prompt = (body.prompt as string | undefined) ?? '';
  const system = typeof body.system === 'string' ? body.system : '';
  const promptTokens = 4 + tokenize(prompt).length + (system ? 4 + tokenize(system).length : 0);
  return { kind, model, stream, prompt, promptTokens, maxTokens };
}

/** Answers `/api/chat` and `/api/generate`, streamed as NDJSON or whole. */
export async function handleOllamaGeneration(
  ctx: ServerContext,
  res: ServerResponse,
  request: OllamaRequest,
  fault: FaultSpec | undefined,
  requestStart: bigint,
): Promise<void> {
  const gen = startGeneration(ctx, res, request, fault, requestStart, (model) =>
    ollamaError(res, 404, ollamaModelNotFound(model)),
  );
  if (!gen) return;
  const piece = (text: string): Record<string, unknown> =>
    request.kind === 'chat' ? { message: { role: 'assistant', content: text } } : { response: text };
  const head = () => ({ model: request.model, created_at: new Date().toISOString() });

  if (!request.stream) {
    if (!(await generateWholeOrFault(res, gen, (status, message) => ollamaError(res, status, message))))
      return;
    sendJson(res, 200, { ...head(), ...piece(gen.completion.tokens.join('')), ...finalFields(gen) });
    return;
  }

  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  // Send the headers now, as a real server does once generation starts, not with the first token.
  res.flushHeaders();
  const write = (line: unknown) => res.write(`${JSON.stringify(line)}\n`);
  const outcome = await streamTokens(
    res,
    gen,
    (token) => write({ ...head(), ...piece(token), done: false }),
    (message) => write({ error: message }),
  );
  if (outcome !== 'done') return;
  write({ ...head(), ...piece(''), ...finalFields(gen) });
  res.end();
}

/** `/api/embed`: deterministic unit vectors, one per input string. */
export function handleOllamaEmbed(
  ctx: ServerContext,
  res: ServerResponse,
  body: Record<string, unknown>,
): void {
  const start = process.hrtime.bigint();
  const model = requireModel(body);
  if (!isKnownModel(ctx, model)) {
    ollamaError(res, 404, ollamaModelNotFound(model));
    return;
  }
  const inputs = typeof body.input === 'string' ? [body.input] : body.input;
  if (!Array.isArray(inputs) || !inputs.every((i) => typeof i === 'string')) {
    throw new HttpError(400, 'input must be a string or an array of strings');
  }
  const tokens = inputs.reduce((sum, text) => sum + tokenize(text).length, 0);
  sendJson(res, 200, {
    model,
    embeddings: inputs.map((text) => embedText(text)),
    total_duration: elapsedNs(start),
    load_duration: 0,
    prompt_eval_count: tokens,
  });
}

/** `/api/tags`: the listed models, plainly marked as dev-model canned responders. */
export function handleOllamaTags(ctx: ServerContext, res: ServerResponse): void {
  sendJson(res, 200, {
    models: ctx.models.map((name) => ({
      name,
      model: name,
      modified_at: '2025-01-01T00:00:00Z',
      size: 0,
      digest: `dev-model-${name}`,
      details: { format: 'canned', family: DEV_MODEL_NAME, parameter_size: '0', quantization_level: 'none' },
    })),
  });
}

/** `/api/version`: says plainly that this is not Ollama. */
export function handleOllamaVersion(res: ServerResponse): void {
  sendJson(res, 200, {
    version: `${DEV_MODEL_VERSION}-${DEV_MODEL_NAME}`,
    server: DEV_MODEL_NAME,
    description:
      'AutoBot dev model: an Ollama/OpenAI-compatible server with canned, deterministic answers. Not a language model.',
  });
}
