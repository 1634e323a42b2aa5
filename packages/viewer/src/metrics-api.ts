/** Client of the collector's span-metrics endpoints (`/api/monitor/*`, `/api/llm/*`). */
import type {
  LlmCallSummary,
  LlmConversationSummary,
  LlmConversationTrace,
  LlmSummary,
  LlmTraceTotals,
  RedSummary,
} from '@autobot/collector';
import { ApiError } from './api.js';

/** RED figures of one service or operation: the collector's own wire type (type-only import). */
export type RedRow = RedSummary;

/** The window a response covers: sparkline point i starts at minute `fromMinute + i * bucketMinutes`. */
export interface Window {
  endMs: number;
  fromMinute: number;
  bucketMinutes: number;
}

/** Per provider × model LLM figures: the collector's own wire type. */
export type LlmModelRow = LlmSummary;

/** One of the slowest or most expensive calls: the collector's own wire type. */
export type LlmCallRow = LlmCallSummary;

/** Totals of one conversation (`gen_ai.conversation.id`), or of one of its traces. */
export type ConversationRow = LlmTraceTotals & { conversationId?: string; traceId?: string; traces?: number };

async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(`cannot reach the collector (${(err as Error).message})`, 0);
  }
  const body = (await res.json().catch(() => undefined)) as
    | (T & { errors?: { msg: string }[] | null })
    | undefined;
  if (!res.ok || body === undefined) {
    throw new ApiError(body?.errors?.[0]?.msg ?? `HTTP ${res.status} from ${path.split('?')[0]}`, res.status);
  }
  return body;
}

const q = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(
    Object.entries(params)
      .filter((e): e is [string, string | number] => e[1] !== undefined)
      .map(([k, v]) => [k, String(v)]),
  ).toString();

/** RED per service over `lookbackMs` before now; `spanKind` is `all` or a comma list of kind names. */
export function fetchServiceHealth(lookbackMs: number, spanKind: string, signal?: AbortSignal) {
  return get<Window & { services: RedRow[] }>(
    `/api/monitor/services?${q({ lookback: lookbackMs, spanKind })}`,
    signal,
  );
}

/** RED per operation × kind of one service. */
export function fetchOperationHealth(
  service: string,
  lookbackMs: number,
  spanKind: string,
  signal?: AbortSignal,
) {
  return get<Window & { operations: RedRow[] }>(
    `/api/monitor/operations?${q({ service, lookback: lookbackMs, spanKind })}`,
    signal,
  );
}

/** LLM figures per provider × model. */
export function fetchLlmModels(lookbackMs: number, signal?: AbortSignal) {
  return get<Window & { models: LlmModelRow[] }>(`/api/llm/models?${q({ lookback: lookbackMs })}`, signal);
}

/** The slowest (`duration`, value in ms) or most expensive (`cost`, value in USD) calls. */
export function fetchLlmCalls(by: 'duration' | 'cost', limit: number, signal?: AbortSignal) {
  return get<{ calls: LlmCallRow[] }>(`/api/llm/calls?${q({ by, limit })}`, signal);
}

/** Conversations with totals, most recent first. */
export function fetchConversations(limit: number, signal?: AbortSignal) {
  return get<{ conversations: LlmConversationSummary[] }>(`/api/llm/conversations?${q({ limit })}`, signal);
}

/** The traces of one conversation with their totals. */
export function fetchConversation(id: string, signal?: AbortSignal) {
  return get<{ conversationId: string; traces: LlmConversationTrace[] }>(
    `/api/llm/conversations/${encodeURIComponent(id)}`,
    signal,
  );
}
