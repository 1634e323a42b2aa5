import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MODELS, type ServerContext } from './context.js';
import {
  FAULT_HEADER,
  FaultCounter,
  type FaultSpec,
  FaultSpecError,
  faultFromPrompt,
  parseFaultSpec,
} from './faults.js';
import { HttpError, readJsonBody, sendJson, sleep } from './http-util.js';
import {
  handleOllamaEmbed,
  handleOllamaGeneration,
  handleOllamaTags,
  handleOllamaVersion,
  ollamaError,
  ollamaModelNotFound,
  parseOllamaRequest,
} from './ollama-api.js';
import {
  handleOpenAiChat,
  handleOpenAiEmbeddings,
  handleOpenAiModels,
  openaiError,
  openaiModelNotFound,
  parseOpenAiRequest,
} from './openai-api.js';

/** Options of {@link startDevModel}. */
export interface DevModelOptions {
  /** Port to listen on; `0` (the default) picks a free ephemeral port. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Pace of streamed tokens in milliseconds; default 20 (50 tokens/s). */
  tokenDelayMs?: number;
  /** Models listed by `/api/tags` and `/v1/models`; default {@link DEFAULT_MODELS}. */
  models?: readonly string[];
  /** Answer unlisted models with the API's model-not-found error (default false: any name works). */
  strictModels?: boolean;
}

/** A running dev model. */
export interface DevModelServer {
  /** Base URL, e.g. `http://127.0.0.1:41234` (Ollama API at `/api`, OpenAI API at `/v1`). */
  url: string;
  port: number;
  /** Stops listening and drops open connections (streams in flight are cut). */
  close(): Promise<void>;
}

/** Thrown for an invalid option passed in code. */
export class DevModelOptionError extends Error {
  readonly code = 'AUTOBOT_ERR_DEV_MODEL_OPTION';
}

type Api = 'ollama' | 'openai';

function apiOf(path: string): Api {
  return path.startsWith('/v1/') ? 'openai' : 'ollama';
}

function sendError(res: ServerResponse, api: Api, status: number, message: string, headers = {}): void {
  if (api === 'openai') openaiError(res, status, message, headers);
  else ollamaError(res, status, message, headers);
}

/** Applies the pre-response part of a fault: delay, then an error status. True when answered. */
async function applyFaultBeforeResponse(
  res: ServerResponse,
  api: Api,
  fault: FaultSpec | undefined,
  model: string | undefined,
): Promise<boolean> {
  if (!fault) return false;
  if (fault.delayMs) {
    const closed = new AbortController();
    res.on('close', () => closed.abort());
    if (!(await sleep(fault.delayMs, closed.signal))) return true;
  }
  if (fault.status === undefined) return false;
  const headers: Record<string, string> = {};
  if (fault.status === 429 || fault.status === 503 || fault.retryAfterS !== undefined) {
    headers['retry-after'] = String(fault.retryAfterS ?? 1);
  }
  let message = `dev-model injected fault: status ${fault.status}`;
  if (fault.status === 404) {
    const name = model ?? 'unknown';
    message = api === 'openai' ? openaiModelNotFound(name) : ollamaModelNotFound(name);
  } else if (fault.status === 429) {
    message = 'Rate limit reached (dev-model injected fault)';
  }
  sendError(res, api, fault.status, message, headers);
  return true;
}

async function route(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestStart = process.hrtime.bigint();
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const method = req.method ?? 'GET';
  const api = apiOf(path);
  if (path === '/health') {
    sendJson(res, 200, { status: 'ok' });
    return;
  }
  const get = method === 'GET' || method === 'HEAD';
  if (path === '/' && get) {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('AutoBot dev model is running (canned answers, not a language model)');
    return;
  }
  const headerSpec = req.headers[FAULT_HEADER];
  const headerFault = parseFaultSpec(Array.isArray(headerSpec) ? headerSpec[0] : headerSpec);

  const routes: Record<string, [string, () => Promise<void> | void]> = {
    '/api/version': ['GET', () => handleOllamaVersion(res)],
    '/api/tags': ['GET', () => handleOllamaTags(ctx, res)],
    '/v1/models': ['GET', () => handleOpenAiModels(ctx, res)],
    '/api/embed': ['POST', async () => handleOllamaEmbed(ctx, res, await readJsonBody(req))],
    '/v1/embeddings': ['POST', async () => handleOpenAiEmbeddings(ctx, res, await readJsonBody(req))],
    '/api/chat': ['POST', () => generation('chat')],
    '/api/generate': ['POST', () => generation('generate')],
    '/v1/chat/completions': ['POST', () => generation('openai')],
  };

  async function generation(kind: 'chat' | 'generate' | 'openai'): Promise<void> {
    const body = await readJsonBody(req);
    const request = kind === 'openai' ? parseOpenAiRequest(body) : parseOllamaRequest(kind, body);
    const fault = ctx.faults.apply(headerFault ?? parseFaultSpec(faultFromPrompt(request.prompt)));
    if (await applyFaultBeforeResponse(res, api, fault, request.model)) return;
    if (kind === 'openai') {
      await handleOpenAiChat(ctx, res, request as ReturnType<typeof parseOpenAiRequest>, fault, requestStart);
    } else {
      await handleOllamaGeneration(
        ctx,
        res,
        request as ReturnType<typeof parseOllamaRequest>,
        fault,
        requestStart,
      );
    }
  }

  const entry = routes[path];
  if (!entry) {
    sendError(res, api, 404, `no route for ${method} ${path}`);
    return;
  }
  if (entry[0] !== method && !(entry[0] === 'GET' && method === 'HEAD')) {
    sendError(res, api, 405, `${path} expects ${entry[0]}`, { allow: entry[0] });
    return;
  }
  if (!path.endsWith('/chat') && !path.endsWith('/generate') && !path.endsWith('/completions')) {
    const fault = ctx.faults.apply(headerFault);
    if (await applyFaultBeforeResponse(res, api, fault, undefined)) return;
  }
  await entry[1]();
}

function validateOptions(options: DevModelOptions): void {
  const { port, tokenDelayMs } = options;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new DevModelOptionError(`port must be an integer 0-65535, got ${port}`);
  }
  if (tokenDelayMs !== undefined && (!Number.isFinite(tokenDelayMs) || tokenDelayMs < 0)) {
    throw new DevModelOptionError(`tokenDelayMs must be a non-negative number, got ${tokenDelayMs}`);
  }
}

/**
 * Starts the dev model: an HTTP server speaking the Ollama API (`/api/chat`, `/api/generate`,
 * `/api/embed`, `/api/tags`, `/api/version`) and the OpenAI API (`/v1/chat/completions`,
 * `/v1/embeddings`, `/v1/models`), plus `/health`. Answers are canned and deterministic;
 * faults are injected per request (see `faults.ts` and the README).
 *
 * @throws DevModelOptionError for invalid options; rejects when the port cannot be bound.
 */
export async function startDevModel(options: DevModelOptions = {}): Promise<DevModelServer> {
  validateOptions(options);
  let id = 0;
  const ctx: ServerContext = {
    tokenDelayMs: options.tokenDelayMs ?? 20,
    models: options.models ?? DEFAULT_MODELS,
    strictModels: options.strictModels ?? false,
    faults: new FaultCounter(),
    nextId: () => ++id,
  };
  const server = createServer((req, res) => {
    route(ctx, req, res).catch((error: unknown) => {
      const api = apiOf(req.url ?? '/');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) sendError(res, api, error.status, error.message);
      else if (error instanceof FaultSpecError) sendError(res, api, 400, error.message);
      else sendError(res, api, 500, 'dev-model internal error');
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
