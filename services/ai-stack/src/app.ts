import { PassThrough } from 'node:stream';
import { type ChatMessage, type ChatStream, type LlmClient, LlmProviderError } from '@autobot/llm';
import { createServiceApp, ServiceError } from '@autobot/service-kit';
import { getTracingService, recordError } from '@autobot/tracing';
import type { Span } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { AiStackConfig } from './config.js';

export const SERVICE_NAME = 'autobot-ai-stack';

interface ProcessBody {
  messages: ChatMessage[];
  model?: string;
  temperature?: number;
  stream?: boolean;
}

/** LLM failures answered with these statuses; the code is the LLM's own (`AUTOBOT_ERR_LLM_*`). */
const LLM_STATUS: Record<string, number> = {
  AUTOBOT_ERR_LLM_TIMEOUT: 504,
  AUTOBOT_ERR_LLM_BAD_REQUEST: 400,
  AUTOBOT_ERR_LLM_MODEL_NOT_FOUND: 404,
  AUTOBOT_ERR_LLM_RATE_LIMITED: 429,
};

/** Request schema of `POST /api/process`. */
const PROCESS_SCHEMA = {
  body: {
    type: 'object',
    required: ['messages'],
    properties: {
      messages: {
        type: 'array',
        minItems: 1,
        maxItems: 200,
        items: {
          type: 'object',
          required: ['role', 'content'],
          properties: {
            role: { enum: ['system', 'user', 'assistant', 'tool'] },
            content: { type: 'string', maxLength: 100_000 },
          },
        },
      },
      model: { type: 'string', minLength: 1, maxLength: 200 },
      temperature: { type: 'number', minimum: 0, maximum: 2 },
      stream: { type: 'boolean' },
    },
  },
} as const;

/** Requests answered and failed, for `/api/metrics`. */
interface Counters {
  processed: number;
  failed: number;
}

/**
 * The AI stack: `POST /api/process {messages, model?, temperature?, stream?}` runs one chat
 * completion through `@autobot/llm` (one `llm.inference` span under the server span). Streams
 * answer NDJSON: `{"content":"…"}` lines, then `{"done":true,"model","finishReason","usage"}`;
 * a failure after the first byte is a final `{"error":{code,message}}` line.
 */
export function buildAiStackApp(
  config: AiStackConfig,
  llm: LlmClient,
  options: { logger?: boolean } = {},
): FastifyInstance {
  const app = createServiceApp(SERVICE_NAME, options);
  const tracing = getTracingService();
  const counters: Counters = { processed: 0, failed: 0 };

  app.get('/api/health', async () => ({
    status: 'ok',
    service: SERVICE_NAME,
    provider: llm.provider,
    model: llm.config.model,
    devModel: config.usingDevModel,
  }));
  app.get('/api/metrics', async () => ({ ...counters, tracing: tracing.stats() }));

  app.post<{ Body: ProcessBody }>('/api/process', { schema: PROCESS_SCHEMA }, async (request, reply) => {
    const body = request.body;
    const controller = new AbortController();
    // The caller went away: stop generating (the llm span records the abort).
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort(new Error('caller closed the connection'));
    });
    const chat = {
      messages: withSystemPrompt(body.messages, config.systemPrompt),
      model: body.model,
      temperature: body.temperature,
      signal: controller.signal,
    };
    const counted = (error: unknown): never => {
      counters.failed++;
      throw asServiceError(error);
    };
    if (body.stream === false) {
      const answer = await llm.chat({ ...chat, stream: false }).catch(counted);
      counters.processed++;
      return {
        content: answer.content,
        model: answer.model,
        finishReason: answer.finishReason,
        usage: answer.usage,
      };
    }
    const stream = await llm.chat({ ...chat, stream: true }).catch(counted);
    const out = new PassThrough();
    out.on('error', () => {});
    // Started inside the handler: the pump keeps the server span as its active context.
    void pumpNdjson(stream, out, request.traceSpan, counters);
    return reply.header('content-type', 'application/x-ndjson; charset=utf-8').send(out);
  });
  return app;
}

/** The messages with the configured system prompt first, unless the caller sent one. */
function withSystemPrompt(messages: ChatMessage[], systemPrompt: string): ChatMessage[] {
  return messages.some((m) => m.role === 'system')
    ? messages
    : [{ role: 'system', content: systemPrompt }, ...messages];
}

/**
 * Copies the LLM stream to `out` as NDJSON; a failure becomes a final `{"error":…}` line recorded
 * on the server span. Stops early when the caller left (`out` destroyed).
 */
async function pumpNdjson(
  stream: ChatStream,
  out: PassThrough,
  span: Span | null | undefined,
  counters: Counters,
): Promise<void> {
  try {
    for await (const chunk of stream) {
      if (out.destroyed) break; // the caller left: breaking out abandons the LLM stream
      if (chunk.done) {
        out.write(
          `${JSON.stringify({ done: true, model: chunk.model, finishReason: chunk.finishReason, usage: chunk.usage })}\n`,
        );
      } else if (chunk.content !== '') {
        out.write(`${JSON.stringify({ content: chunk.content })}\n`);
      }
    }
    counters.processed++;
  } catch (error) {
    counters.failed++;
    const mapped = asServiceError(error);
    if (span) recordError(span, mapped);
    out.write(`${JSON.stringify({ error: { code: mapped.code, message: mapped.message } })}\n`);
  } finally {
    out.end();
  }
}

function asServiceError(error: unknown): ServiceError {
  if (error instanceof LlmProviderError) {
    const status = LLM_STATUS[error.code] ?? 502;
    return new ServiceError(error.code, `model provider ${error.provider}: ${error.message}`, status, {
      cause: error,
      service: `llm:${error.provider}`,
    });
  }
  if (error instanceof ServiceError) return error;
  return new ServiceError(
    'AUTOBOT_ERR_AI_STACK_INTERNAL',
    `ai-stack: ${(error as Error)?.message ?? error}`,
    500,
    {
      cause: error,
    },
  );
}
