import type { ServerResponse } from 'node:http';
import { countPromptTokens, embedText, lastUserText, type PromptMessage, tokenize } from './canned.js';
import { DEV_MODEL_NAME, isKnownModel, type ServerContext } from './context.js';
import type { FaultSpec } from './faults.js';
import { type Generation, generateWholeOrFault, startGeneration, streamTokens } from './generation.js';
import { HttpError, optionalCount, sendJson } from './http-util.js';

const ERROR_TYPES: Record<number, [type: string, code: string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  404: ['invalid_request_error', 'model_not_found'],
  429: ['requests', 'rate_limit_exceeded'],
};

/** The OpenAI API's error body: `{error: {message, type, param, code}}`. */
export function openaiError(res: ServerResponse, status: number, message: string, headers = {}): void {
  const [type, code] = ERROR_TYPES[status] ?? ['server_error', null];
  sendJson(res, status, { error: { message, type, param: null, code } }, headers);
}

/** OpenAI's own message for a missing model. */
export function openaiModelNotFound(model: string): string {
  return `The model \`${model}\` does not exist or you do not have access to it.`;
}

/** Input of a chat completion, parsed by {@link parseOpenAiRequest}. */
export interface OpenAiRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  prompt: string;
  promptTokens: number;
  /**
   * Prompt tokens reported as cached (`prompt_tokens_details.cached_tokens`): the tokens of every
   * message before the last one — the conversation prefix a previous turn already sent.
   */
  cachedTokens: number;
  /**
   * Reasoning tokens (`completion_tokens_details.reasoning_tokens`, counted into
   * `completion_tokens`): 8/16/32 for `reasoning_effort` low/medium/high; o-series models
   * (`o1`, `o3-mini`, …) default to medium as OpenAI's do; other models 0.
   */
  reasoningTokens: number;
  maxTokens: number | undefined;
}

const REASONING_TOKENS: Record<string, number> = { low: 8, medium: 16, high: 32 };

/** Parses `/v1/chat/completions` input (400 on bad shape). */
export function parseOpenAiRequest(body: Record<string, unknown>): OpenAiRequest {
  if (typeof body.model !== 'string' || !body.model)
    throw new HttpError(400, 'you must provide a model parameter');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new HttpError(400, 'messages must be a non-empty array');
  }
  const messages = body.messages as PromptMessage[];
  const maxTokens =
    optionalCount(body.max_completion_tokens, 'max_completion_tokens') ??
    optionalCount(body.max_tokens, 'max_tokens');
  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
  const effort = body.reasoning_effort;
  if (effort !== undefined && (typeof effort !== 'string' || !Object.hasOwn(REASONING_TOKENS, effort))) {
    throw new HttpError(400, 'reasoning_effort must be low, medium or high');
  }
  const promptTokens = countPromptTokens(messages);
  return {
    model: body.model,
    stream: body.stream === true,
    includeUsage: streamOptions?.include_usage === true,
    prompt: lastUserText(messages),
    promptTokens,
    cachedTokens: messages.length > 1 ? Math.min(promptTokens, countPromptTokens(messages.slice(0, -1))) : 0,
    reasoningTokens:
      effort !== undefined
        ? (REASONING_TOKENS[effort] as number)
        : /^o\d/.test(body.model)
          ? (REASONING_TOKENS.medium as number)
          : 0,
    maxTokens,
  };
}

/** Answers `/v1/chat/completions`, streamed as SSE or whole. */
export async function handleOpenAiChat(
  ctx: ServerContext,
  res: ServerResponse,
  request: OpenAiRequest,
  fault: FaultSpec | undefined,
  requestStart: bigint,
): Promise<void> {
  const gen = startGeneration(ctx, res, request, fault, requestStart, (model) =>
    openaiError(res, 404, openaiModelNotFound(model)),
  );
  if (!gen) return;
  const id = `chatcmpl-devmodel-${ctx.nextId()}`;
  const created = Math.floor(Date.now() / 1000);
  const usage = openAiUsage(gen, request);

  if (!request.stream) {
    if (!(await generateWholeOrFault(res, gen, (status, message) => openaiError(res, status, message))))
      return;
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model: request.model,
      system_fingerprint: DEV_MODEL_NAME,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: gen.completion.tokens.join(''), refusal: null },
          logprobs: null,
          finish_reason: gen.completion.finishReason,
        },
      ],
      usage,
    });
    return;
  }

  await streamOpenAiChat(res, gen, request, { id, created, usage });
}

/** The `usage` object: prompt, completion (with reasoning) and cached token counts. */
function openAiUsage(gen: Generation, request: OpenAiRequest) {
  const completionTokens = gen.completion.tokens.length + request.reasoningTokens;
  return {
    prompt_tokens: gen.promptTokens,
    completion_tokens: completionTokens,
    total_tokens: gen.promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: request.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: request.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** The streamed answer: SSE chunks, a final chunk with the finish reason, usage when asked, `[DONE]`. */
async function streamOpenAiChat(
  res: ServerResponse,
  gen: Generation,
  request: OpenAiRequest,
  { id, created, usage }: { id: string; created: number; usage: ReturnType<typeof openAiUsage> },
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: request.model,
    system_fingerprint: DEV_MODEL_NAME,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(request.includeUsage ? { usage: null } : {}),
  });
  send(chunk({ role: 'assistant', content: '' }, null));
  const outcome = await streamTokens(
    res,
    gen,
    (token) => send(chunk({ content: token }, null)),
    (message) => send({ error: { message, type: 'server_error', param: null, code: null } }),
  );
  if (outcome !== 'done') return;
  send(chunk({}, gen.completion.finishReason));
  if (request.includeUsage) {
    send({
      id,
      object: 'chat.completion.chunk',
      created,
      model: request.model,
      system_fingerprint: DEV_MODEL_NAME,
      choices: [],
      usage,
    });
  }
  res.end('data: [DONE]\n\n');
}

/** `/v1/embeddings`: deterministic unit vectors. */
export function handleOpenAiEmbeddings(
  ctx: ServerContext,
  res: ServerResponse,
  body: Record<string, unknown>,
): void {
  if (typeof body.model !== 'string' || !body.model)
    throw new HttpError(400, 'you must provide a model parameter');
  if (!isKnownModel(ctx, body.model)) {
    openaiError(res, 404, openaiModelNotFound(body.model));
    return;
  }
  const inputs = typeof body.input === 'string' ? [body.input] : body.input;
  if (!Array.isArray(inputs) || !inputs.every((i) => typeof i === 'string')) {
    throw new HttpError(400, 'input must be a string or an array of strings');
  }
  const tokens = inputs.reduce((sum, text) => sum + tokenize(text).length, 0);
  // The official client asks for base64 (little-endian float32) unless told otherwise.
  const encode = (vector: number[]): number[] | string =>
    body.encoding_format === 'base64'
      ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
      : vector;
  sendJson(res, 200, {
    object: 'list',
    data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: encode(embedText(text)) })),
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

/** `/v1/models`. */
export function handleOpenAiModels(ctx: ServerContext, res: ServerResponse): void {
  sendJson(res, 200, {
    object: 'list',
    data: ctx.models.map((id) => ({ id, object: 'model', created: 1735689600, owned_by: DEV_MODEL_NAME })),
  });
}
