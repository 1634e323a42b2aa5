import type { ServerResponse } from 'node:http';
import { type Completion, planCompletion } from './canned.js';
import { isKnownModel, type ServerContext } from './context.js';
import type { FaultSpec } from './faults.js';
import { sleep } from './http-util.js';

/** Timing of one generation, all from `process.hrtime.bigint()`. */
export interface GenerationTiming {
  /** When the request arrived. */
  requestStart: bigint;
  /** When generation began (after any injected delay): the end of "model load". */
  generationStart: bigint;
  /** When the first token was produced: the end of "prompt evaluation". */
  firstToken?: bigint;
  /** When the last token was produced. */
  end?: bigint;
}

/** How a streamed generation ended. */
export type StreamOutcome = 'done' | 'error' | 'dropped' | 'closed';

/** Everything a handler needs to emit one completion. */
export interface Generation {
  completion: Completion;
  promptTokens: number;
  tokenDelayMs: number;
  fault: FaultSpec | undefined;
  timing: GenerationTiming;
  /** Aborts when the client disconnects. */
  signal: AbortSignal;
}

/** Creates a generation plan; the signal aborts when the response closes early. */
export function createGeneration(
  res: ServerResponse,
  prompt: string,
  promptTokens: number,
  maxTokens: number | undefined,
  tokenDelayMs: number,
  fault: FaultSpec | undefined,
  requestStart: bigint,
): Generation {
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  return {
    completion: planCompletion(prompt, maxTokens),
    promptTokens,
    tokenDelayMs: fault?.tokenDelayMs ?? tokenDelayMs,
    fault,
    timing: { requestStart, generationStart: process.hrtime.bigint() },
    signal: controller.signal,
  };
}

/**
 * Streams the completion token by token at the generation's pace: `emit` writes one token,
 * `emitError` writes the API's mid-stream error line. Honors `error-after` / `drop-after` faults.
 * The first token comes one pace step after the start (the simulated prompt evaluation).
 */
export async function streamTokens(
  res: ServerResponse,
  gen: Generation,
  emit: (token: string, index: number) => void,
  emitError: (message: string) => void,
): Promise<StreamOutcome> {
  const { tokens } = gen.completion;
  for (let i = 0; i < tokens.length; i++) {
    if (gen.fault?.errorAfter === i) {
      emitError(`dev-model injected fault: error after ${i} tokens`);
      res.end();
      return 'error';
    }
    if (gen.fault?.dropAfter === i) {
      res.socket?.destroy();
      return 'dropped';
    }
    if (!(await sleep(gen.tokenDelayMs, gen.signal))) return 'closed';
    gen.timing.firstToken ??= process.hrtime.bigint();
    emit(tokens[i] as string, i);
  }
  // Faults placed at or past the last token still fire, before the final chunk.
  if (gen.fault?.errorAfter !== undefined && gen.fault.errorAfter >= tokens.length) {
    emitError(`dev-model injected fault: error after ${tokens.length} tokens`);
    res.end();
    return 'error';
  }
  if (gen.fault?.dropAfter !== undefined && gen.fault.dropAfter >= tokens.length) {
    res.socket?.destroy();
    return 'dropped';
  }
  gen.timing.firstToken ??= process.hrtime.bigint();
  gen.timing.end = process.hrtime.bigint();
  return 'done';
}

/**
 * Waits as long as streaming would take (a non-streamed answer costs the same generation time),
 * then fills the timing. Returns `false` when the client went away meanwhile.
 */
export async function generateWhole(gen: Generation): Promise<boolean> {
  const steps = Math.max(1, gen.completion.tokens.length);
  if (!(await sleep(gen.tokenDelayMs, gen.signal))) return false;
  gen.timing.firstToken = process.hrtime.bigint();
  if (!(await sleep(gen.tokenDelayMs * (steps - 1), gen.signal))) return false;
  gen.timing.end = process.hrtime.bigint();
  return true;
}

/** What the generation requests of both APIs carry. */
export interface GenerationRequest {
  model: string;
  prompt: string;
  promptTokens: number;
  maxTokens: number | undefined;
}

/**
 * Starts a generation when the model is listed; otherwise answers through `notFound` (each API
 * words that error its own way) and returns undefined.
 */
export function startGeneration(
  ctx: ServerContext,
  res: ServerResponse,
  request: GenerationRequest,
  fault: FaultSpec | undefined,
  requestStart: bigint,
  notFound: (model: string) => void,
): Generation | undefined {
  if (!isKnownModel(ctx, request.model)) {
    notFound(request.model);
    return undefined;
  }
  return createGeneration(
    res,
    request.prompt,
    request.promptTokens,
    request.maxTokens,
    ctx.tokenDelayMs,
    fault,
    requestStart,
  );
}

/**
 * The wait of a whole (non-streamed) answer, after the injected faults: `error-after` answers 500
 * through `sendError` (the API's own error body), `drop-after` drops the connection. Resolves true
 * when the answer is to be sent.
 */
export async function generateWholeOrFault(
  res: ServerResponse,
  gen: Generation,
  sendError: (status: number, message: string) => void,
): Promise<boolean> {
  if (gen.fault?.errorAfter !== undefined) {
    sendError(500, 'dev-model injected fault: error during generation');
    return false;
  }
  if (gen.fault?.dropAfter !== undefined) {
    res.socket?.destroy();
    return false;
  }
  return generateWhole(gen);
}
