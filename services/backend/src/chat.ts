import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { readNdjson, ServiceError } from '@autobot/service-kit';
import { getTracingService, recordError } from '@autobot/tracing';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BackendConfig } from './config.js';
import type { ConversationStore } from './conversation-store.js';
import type { Downstreams } from './downstream.js';

interface ChatBody {
  message: string;
  conversationId?: string;
}

/** The first line of a chat answer. */
export interface ChatMeta {
  type: 'meta';
  conversationId: string;
  traceId: string | undefined;
  embedding: { model: string; dimensions: number };
  page?: { url: string; title?: string; engine?: string; error?: { code: string; message: string } };
}

/** Counters shown on `/api/metrics`. */
export interface ChatCounters {
  chats: number;
  failed: number;
}

const URL_PATTERN = /https?:\/\/[^\s<>"'`)\]]+/i;

/** The first http(s) URL in a message, without trailing punctuation. */
export function findUrl(message: string): string | undefined {
  return URL_PATTERN.exec(message)?.[0].replace(/[.,;:!?]+$/, '');
}

/**
 * `POST /api/chat {message, conversationId?}`: store the message in Redis, get its embedding from
 * the NPU worker and (when the message names a URL) the page title from the browser worker, then
 * stream the AI stack's answer back as NDJSON:
 * `{"type":"meta",conversationId,traceId,embedding,page?}`, `{"type":"chunk","content"}`…,
 * `{"type":"done",usage?,model?}` — or `{"type":"error",code,message,service}` if it breaks midway.
 * A failing downstream before the answer starts is a JSON error answer (502/503/504) naming it.
 */
export function registerChatRoute(app: FastifyInstance, deps: ChatDeps): void {
  const { counters } = deps;
  const tracing = getTracingService();

  app.post<{ Body: ChatBody }>('/api/chat', { schema: CHAT_SCHEMA }, async (request, reply) => {
    const message = request.body.message.trim();
    if (message === '') {
      throw new ServiceError('AUTOBOT_ERR_BACKEND_EMPTY_MESSAGE', 'message is empty', 400);
    }
    const conversationId = request.body.conversationId ?? randomUUID();
    const traceId = request.traceSpan?.spanContext().traceId ?? tracing.currentTraceId();
    // OpenTelemetry GenAI: lets the collector total a conversation's LLM calls over its traces.
    request.traceSpan?.setAttribute('gen_ai.conversation.id', conversationId);
    try {
      const { answer, embedding, page } = await startAnswer(deps, conversationId, message);
      const meta: ChatMeta = { type: 'meta', conversationId, traceId, embedding, ...(page ? { page } : {}) };
      const out = new PassThrough();
      // The browser may go away midway: writes then fail quietly and the relay stops reading.
      out.on('error', () => {});
      out.write(`${JSON.stringify(meta)}\n`);
      // Started inside the handler, so Redis calls below stay children of the server span.
      void relayAndRecord(deps, request, conversationId, answer, out);
      return reply.header('content-type', 'application/x-ndjson; charset=utf-8').send(out);
    } catch (error) {
      counters.failed++;
      throw error;
    }
  });
}

/** What the chat route needs. */
type ChatDeps = {
  config: BackendConfig;
  store: ConversationStore;
  downstreams: Downstreams;
  counters: ChatCounters;
};

/** Request schema of `POST /api/chat`. */
const CHAT_SCHEMA = {
  body: {
    type: 'object',
    required: ['message'],
    properties: {
      message: { type: 'string', minLength: 1, maxLength: 8000 },
      conversationId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    },
  },
} as const;

/**
 * Stores the user's message, gathers the history, the embedding and (when the message names a URL)
 * the page title in parallel, and asks the AI stack for a streamed answer.
 * @throws ServiceError naming the failing downstream.
 */
async function startAnswer(
  { config, store, downstreams }: ChatDeps,
  conversationId: string,
  message: string,
) {
  await store.append(
    conversationId,
    { role: 'user', content: message, at: Date.now() },
    config.historyLimit,
    config.conversationTtlS,
  );
  const pageUrl = findUrl(message);
  const [history, embedding, page] = await Promise.all([
    store.history(conversationId, config.historyLimit),
    embed(downstreams, message),
    pageUrl ? fetchPage(downstreams, pageUrl) : Promise.resolve(undefined),
  ]);
  const messages = history.map((m) => ({ role: m.role, content: m.content }));
  if (page?.title) {
    messages.unshift({ role: 'assistant', content: `The page ${page.url} is titled "${page.title}".` });
  }
  const answer = await downstreams.clients['ai-stack']
    .request('POST', '/api/process', { json: { messages, stream: true } })
    .catch((error) => {
      throw downstreams.failure('ai-stack', error);
    });
  return { answer, embedding, page };
}

/**
 * Relays the answer to `out`, stores the assistant's text, counts the chat; a failure midway is a
 * final `{"type":"error",…}` line, recorded on the server span and logged by code.
 */
async function relayAndRecord(
  { config, store, downstreams, counters }: ChatDeps,
  request: FastifyRequest,
  conversationId: string,
  answer: Response,
  out: PassThrough,
): Promise<void> {
  const serverSpan = request.traceSpan;
  try {
    await relayAnswer(answer, out, async (text) => {
      await store.append(
        conversationId,
        { role: 'assistant', content: text, at: Date.now() },
        config.historyLimit,
        config.conversationTtlS,
      );
    });
    counters.chats++;
  } catch (error) {
    counters.failed++;
    const failure = error instanceof ServiceError ? error : downstreams.failure('ai-stack', error);
    if (serverSpan) recordError(serverSpan, failure);
    request.log.warn({ code: failure.code }, failure.message);
    out.end(
      `${JSON.stringify({ type: 'error', code: failure.code, message: failure.message, service: failure.service })}\n`,
    );
  }
}

async function embed(downstreams: Downstreams, text: string): Promise<ChatMeta['embedding']> {
  try {
    const answer = await downstreams.clients['npu-worker'].postJson<{ model: string; dimensions: number }>(
      '/api/embed',
      { input: text },
    );
    return { model: answer.model, dimensions: answer.dimensions };
  } catch (error) {
    throw downstreams.failure('npu-worker', error);
  }
}

/** A page the message names; its failure is reported in the answer, not fatal to the chat. */
async function fetchPage(downstreams: Downstreams, url: string): Promise<NonNullable<ChatMeta['page']>> {
  try {
    const page = await downstreams.clients.browser.postJson<{ title: string; engine: string }>('/api/fetch', {
      url,
    });
    return { url, title: page.title, engine: page.engine };
  } catch (error) {
    const failure = downstreams.failure('browser', error);
    return { url, error: { code: failure.code, message: failure.message } };
  }
}

/** Relay the AI stack's NDJSON as chat chunks, then save the whole answer and close `out`. */
async function relayAnswer(
  answer: Response,
  out: PassThrough,
  save: (text: string) => Promise<void>,
): Promise<void> {
  if (!answer.body)
    throw new ServiceError('AUTOBOT_ERR_BACKEND_DOWNSTREAM_FAILED', 'ai-stack sent no body', 502, {
      service: 'ai-stack',
    });
  let text = '';
  let done: { usage?: unknown; model?: string } | undefined;
  for await (const line of readNdjson(answer.body)) {
    if (out.destroyed) return; // the caller left; leaving the loop cancels the upstream body
    const item = line as {
      content?: string;
      done?: boolean;
      usage?: unknown;
      model?: string;
      error?: { code: string; message: string };
    };
    if (item.error) {
      throw new ServiceError(
        'AUTOBOT_ERR_BACKEND_DOWNSTREAM_FAILED',
        `ai-stack failed while answering: ${item.error.code}: ${item.error.message}`,
        502,
        { service: 'ai-stack' },
      );
    }
    if (typeof item.content === 'string') {
      text += item.content;
      out.write(`${JSON.stringify({ type: 'chunk', content: item.content })}\n`);
    }
    if (item.done) done = item;
  }
  if (!done) {
    throw new ServiceError(
      'AUTOBOT_ERR_BACKEND_DOWNSTREAM_FAILED',
      'ai-stack stream ended without its final line',
      502,
      {
        service: 'ai-stack',
      },
    );
  }
  await save(text);
  out.end(`${JSON.stringify({ type: 'done', model: done.model, usage: done.usage })}\n`);
}
