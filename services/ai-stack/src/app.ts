import { PassThrough } from 'node:stream';
import { type ChatMessage, type LlmClient, LlmProviderError } from '@autobot/llm';
import { createServiceApp, ServiceError } from '@autobot/service-kit';
import { getTracingService, recordError } from '@autobot/tracing';
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
  let processed = 0;
  let failed = 0;

  app.get('/api/health', async () => ({
    status: 'ok',
    service: SERVICE_NAME,
    provider: llm.provider,
    model: llm.config.model,
    devModel: config.usingDevModel,
  }));
  app.get('/api/metrics', async () => ({ processed, failed, tracing: tracing.stats() }));

  app.post<{ Body: ProcessBody }>(
    '/api/process',
    {
      schema: {
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
      },
    },
    async (request, reply) => {
      const body = request.body;
      const messages: ChatMessage[] = body.messages.some((m) => m.role === 'system')
        ? body.messages
        : [{ role: 'system', content: config.systemPrompt }, ...body.messages];
      const controller = new AbortController();
      // The caller went away: stop generating (the llm span records the abort).
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) controller.abort(new Error('caller closed the connection'));
      });
      const chat = { messages, model: body.model, temperature: body.temperature, signal: controller.signal };
      if (body.stream === false) {
        const answer = await llm.chat({ ...chat, stream: false }).catch((error) => {
          failed++;
          throw asServiceError(error);
        });
        processed++;
        return {
          content: answer.content,
          model: answer.model,
          finishReason: answer.finishReason,
          usage: answer.usage,
        };
      }
      const stream = await llm.chat({ ...chat, stream: true }).catch((error) => {
        failed++;
        throw asServiceError(error);
      });
      const out = new PassThrough();
      out.on('error', () => {});
      const span = request.traceSpan;
      // Started inside the handler: the pump keeps the server span as its active context.
      void (async () => {
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
          processed++;
        } catch (error) {
          failed++;
          const mapped = asServiceError(error);
          if (span) recordError(span, mapped);
          out.write(`${JSON.stringify({ error: { code: mapped.code, message: mapped.message } })}\n`);
        } finally {
          out.end();
        }
      })();
      return reply.header('content-type', 'application/x-ndjson; charset=utf-8').send(out);
    },
  );
  return app;
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
