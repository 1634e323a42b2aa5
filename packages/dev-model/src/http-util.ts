import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body the dev model reads (1 MiB); larger bodies get 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A client error with the HTTP status it maps to. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = 'AUTOBOT_ERR_DEV_MODEL_BAD_REQUEST',
  ) {
    super(message);
  }
}

/** Reads and parses a JSON object body, bounded by {@link MAX_BODY_BYTES}. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new HttpError(
        413,
        `request body exceeds ${MAX_BODY_BYTES} bytes`,
        'AUTOBOT_ERR_DEV_MODEL_BODY_TOO_LARGE',
      );
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpError(400, 'request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** Sends a JSON response with `Content-Length`. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Resolves after `ms`, or early (resolving `false`) when `signal` aborts — the client went away,
 * so there is nobody left to wait for.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Nanoseconds elapsed since `start` (from `process.hrtime.bigint()`), as a safe number. */
export function elapsedNs(start: bigint, end: bigint = process.hrtime.bigint()): number {
  return Number(end - start);
}

/** An optional non-negative integer field; throws a 400 {@link HttpError} when present but invalid. */
export function optionalCount(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new HttpError(400, `${name} must be a non-negative integer`);
  }
  return value;
}
