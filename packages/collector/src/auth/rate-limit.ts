/** Limits of the OTLP receivers. */
export interface ReceiverLimits {
  /** Sustained requests per second per client address (0 = no rate limit). */
  requestsPerSecond: number;
  /** Requests a client may send at once above the sustained rate (bucket size). */
  burst: number;
  /** OTLP requests in progress at once, over both receivers (0 = unbounded). */
  maxConcurrent: number;
}

/** Defaults: far above what an OTLP exporter sends (≈1 request/s), below a flood. */
export const DEFAULT_RECEIVER_LIMITS: ReceiverLimits = {
  requestsPerSecond: 500,
  burst: 1000,
  maxConcurrent: 128,
};

/** At most this many client buckets are kept; idle full buckets are dropped first. */
const MAX_BUCKETS = 10_000;

/** A refusal: the client should retry after `retryAfterMs`. */
export interface Throttled {
  ok: false;
  retryAfterMs: number;
  reason: string;
}

/** An admitted request: call `release` once it has been answered. */
export interface Admitted {
  ok: true;
  release(): void;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * Per-client token bucket plus a global bound on requests in flight. Keys are client addresses,
 * so one flooding client runs out of tokens while the others keep theirs.
 */
export class ClientLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private inFlight = 0;

  constructor(
    readonly limits: ReceiverLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Admits or throttles one request of `client`. */
  acquire(client: string): Admitted | Throttled {
    const { requestsPerSecond, burst, maxConcurrent } = this.limits;
    if (maxConcurrent > 0 && this.inFlight >= maxConcurrent) {
      return {
        ok: false,
        retryAfterMs: 1000,
        reason: `too many OTLP requests in progress (limit ${maxConcurrent}); retry later`,
      };
    }
    if (requestsPerSecond > 0) {
      const now = this.now();
      let bucket = this.buckets.get(client);
      if (bucket === undefined) {
        if (this.buckets.size >= MAX_BUCKETS) this.prune(now);
        bucket = { tokens: burst, updatedMs: now };
        this.buckets.set(client, bucket);
      } else {
        bucket.tokens = Math.min(
          burst,
          bucket.tokens + ((now - bucket.updatedMs) / 1000) * requestsPerSecond,
        );
        bucket.updatedMs = now;
      }
      if (bucket.tokens < 1) {
        return {
          ok: false,
          retryAfterMs: Math.ceil(((1 - bucket.tokens) / requestsPerSecond) * 1000),
          reason: `rate limit of ${requestsPerSecond} requests/s per client exceeded; retry later`,
        };
      }
      bucket.tokens -= 1;
    }
    this.inFlight++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
      },
    };
  }

  private prune(now: number): void {
    const { requestsPerSecond, burst } = this.limits;
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.updatedMs) / 1000) * requestsPerSecond >= burst) this.buckets.delete(key);
    }
    // Still full of active clients: drop the oldest entries (insertion order).
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < MAX_BUCKETS) break;
      this.buckets.delete(key);
    }
  }
}

/** `Retry-After` value in whole seconds (at least 1). */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
