import { ServiceError } from '@autobot/service-kit';
import {
  HttpAbortError,
  HttpConnectionError,
  HttpStatusError,
  HttpTimeoutError,
  TracedHttpClient,
} from '@autobot/tracing';

/** The services the backend calls, by the name used in error answers. */
export type DownstreamName = 'ai-stack' | 'npu-worker' | 'browser';

/** A traced HTTP client per downstream service, and the error mapping for their failures. */
export class Downstreams {
  readonly clients: Record<DownstreamName, TracedHttpClient>;

  constructor(
    readonly urls: Record<DownstreamName, string>,
    timeoutMs: number,
  ) {
    this.clients = {
      'ai-stack': new TracedHttpClient({ baseUrl: urls['ai-stack'], timeoutMs }),
      'npu-worker': new TracedHttpClient({ baseUrl: urls['npu-worker'], timeoutMs }),
      browser: new TracedHttpClient({ baseUrl: urls.browser, timeoutMs }),
    };
  }

  /**
   * Turn a client failure into the backend's answer: unreachable → 502
   * `AUTOBOT_ERR_BACKEND_DOWNSTREAM_UNAVAILABLE`, timeout → 504 `…_TIMEOUT`, an error answer →
   * 502 `…_FAILED` carrying the downstream's own code and message when it sent one.
   */
  failure(name: DownstreamName, error: unknown): ServiceError {
    const url = this.urls[name];
    if (error instanceof ServiceError) return error;
    if (error instanceof HttpConnectionError) {
      return new ServiceError(
        'AUTOBOT_ERR_BACKEND_DOWNSTREAM_UNAVAILABLE',
        `${name} is unavailable at ${url} (${causeText(error)})`,
        502,
        { cause: error, service: name },
      );
    }
    if (error instanceof HttpTimeoutError) {
      return new ServiceError(
        'AUTOBOT_ERR_BACKEND_DOWNSTREAM_TIMEOUT',
        `${name} at ${url} did not answer in time`,
        504,
        {
          cause: error,
          service: name,
        },
      );
    }
    if (error instanceof HttpStatusError) {
      const detail = downstreamDetail(error.body);
      return new ServiceError(
        'AUTOBOT_ERR_BACKEND_DOWNSTREAM_FAILED',
        `${name} answered HTTP ${error.status}${detail ? `: ${detail}` : ''}`,
        502,
        { cause: error, service: name },
      );
    }
    if (error instanceof HttpAbortError) {
      return new ServiceError('AUTOBOT_ERR_BACKEND_ABORTED', `call to ${name} was aborted`, 499, {
        cause: error,
        service: name,
      });
    }
    return new ServiceError(
      'AUTOBOT_ERR_BACKEND_DOWNSTREAM_FAILED',
      `${name}: ${(error as Error)?.message ?? error}`,
      502,
      { cause: error, service: name },
    );
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.clients).map((c) => c.close()));
  }
}

function causeText(error: HttpConnectionError): string {
  if (error.systemCode === 'ECONNREFUSED') return 'connection refused';
  return error.systemCode ?? error.message;
}

/** `code: message` from a downstream's `{error:{code,message}}` answer, if it is one. */
function downstreamDetail(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: string; message?: string } };
    if (parsed.error?.message) return `${parsed.error.code ?? 'error'}: ${parsed.error.message}`;
  } catch {
    // not JSON: show the start of it
  }
  return body.slice(0, 200);
}
