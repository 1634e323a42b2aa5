import { createServiceApp, ServiceError } from '@autobot/service-kit';
import { getTracingService } from '@autobot/tracing';
import type { FastifyInstance } from 'fastify';
import type { NpuWorkerConfig } from './config.js';
import { embedText, HASHING_MODEL } from './hashing-embedder.js';
import {
  ATTR_NPU_DEVICE,
  ATTR_NPU_DURATION_MS,
  ATTR_NPU_INPUT_CHARS,
  ATTR_NPU_INPUT_COUNT,
  ATTR_NPU_INPUT_TOKENS,
  ATTR_NPU_MODEL,
  ATTR_NPU_VECTOR_DIMENSIONS,
  SPAN_NPU_INFERENCE,
} from './semconv.js';

export const SERVICE_NAME = 'autobot-npu-worker';
const DEVICE = 'cpu';

interface EmbedBody {
  input: string | string[];
}

/** Body and answer of `POST /api/embed`. */
export interface EmbedAnswer {
  model: string;
  device: string;
  dimensions: number;
  embeddings: number[][];
  tokens: number;
}

/**
 * The NPU worker: `POST /api/embed {input}` → one vector per input, computed on the CPU by
 * feature hashing (see `embedText`), inside one `npu.inference` span. There is no NPU here; the
 * span says `npu.device=cpu`.
 */
export function buildNpuWorkerApp(
  config: NpuWorkerConfig,
  options: { logger?: boolean } = {},
): FastifyInstance {
  const app = createServiceApp(SERVICE_NAME, options);
  const tracing = getTracingService();
  let embedded = 0;

  app.get('/api/health', async () => ({
    status: 'ok',
    service: SERVICE_NAME,
    model: HASHING_MODEL,
    device: DEVICE,
  }));
  app.get('/api/metrics', async () => ({ embedded, tracing: tracing.stats() }));

  app.post<{ Body: EmbedBody }>(
    '/api/embed',
    {
      schema: {
        body: {
          type: 'object',
          required: ['input'],
          properties: {
            input: {
              anyOf: [
                { type: 'string' },
                { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 256 },
              ],
            },
          },
        },
      },
    },
    async (request): Promise<EmbedAnswer> => {
      const inputs = typeof request.body.input === 'string' ? [request.body.input] : request.body.input;
      const chars = inputs.reduce((sum, text) => sum + text.length, 0);
      if (chars > config.maxChars) {
        throw new ServiceError(
          'AUTOBOT_ERR_NPU_INPUT_TOO_LARGE',
          `input has ${chars} characters; the limit is ${config.maxChars} (AUTOBOT_NPU_MAX_CHARS)`,
          413,
        );
      }
      return tracing.span(
        SPAN_NPU_INFERENCE,
        {
          attributes: {
            [ATTR_NPU_MODEL]: HASHING_MODEL,
            [ATTR_NPU_DEVICE]: DEVICE,
            [ATTR_NPU_INPUT_COUNT]: inputs.length,
            [ATTR_NPU_INPUT_CHARS]: chars,
            [ATTR_NPU_VECTOR_DIMENSIONS]: config.dimensions,
          },
        },
        (span) => {
          const started = performance.now();
          const results = inputs.map((text) => embedText(text, config.dimensions));
          const tokens = results.reduce((sum, r) => sum + r.tokens, 0);
          span.setAttribute(ATTR_NPU_INPUT_TOKENS, tokens);
          span.setAttribute(ATTR_NPU_DURATION_MS, performance.now() - started);
          embedded += inputs.length;
          return {
            model: HASHING_MODEL,
            device: DEVICE,
            dimensions: config.dimensions,
            embeddings: results.map((r) => r.vector),
            tokens,
          };
        },
      );
    },
  );
  return app;
}
