import { ServiceError } from '@autobot/service-kit';
import { Redis } from 'ioredis';

/** One stored chat message. */
export interface StoredMessage {
  role: 'user' | 'assistant';
  content: string;
  at: number;
}

/** Where conversations live: Redis in the stack, process memory when no Redis is configured. */
export interface ConversationStore {
  readonly kind: 'redis' | 'memory';
  /** Append a message and trim the conversation to `limit` messages. */
  append(id: string, message: StoredMessage, limit: number, ttlS: number): Promise<void>;
  /** The last `limit` messages, oldest first. */
  history(id: string, limit: number): Promise<StoredMessage[]>;
  /** True when the store answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const key = (id: string) => `autobot:conversation:${id}`;

/**
 * Conversations as Redis lists (`RPUSH`, `LTRIM`, `EXPIRE`, `LRANGE`), each command a
 * `redis.{command}` span through the ioredis instrumentation. No offline queue: when Redis is
 * down a command fails at once with `AUTOBOT_ERR_BACKEND_REDIS` (503) instead of hanging.
 */
export class RedisConversationStore implements ConversationStore {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // Connection errors surface per command; the event would otherwise crash the process.
    this.redis.on('error', () => {});
  }

  async append(id: string, message: StoredMessage, limit: number, ttlS: number): Promise<void> {
    await this.run(async () => {
      await this.redis.rpush(key(id), JSON.stringify(message));
      await this.redis.ltrim(key(id), -limit, -1);
      await this.redis.expire(key(id), ttlS);
    });
  }

  async history(id: string, limit: number): Promise<StoredMessage[]> {
    const items = await this.run(() => this.redis.lrange(key(id), -limit, -1));
    return items.flatMap((item) => {
      try {
        return [JSON.parse(item) as StoredMessage];
      } catch {
        return [];
      }
    });
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw new ServiceError(
        'AUTOBOT_ERR_BACKEND_REDIS',
        `Redis at ${this.redis.options.host}:${this.redis.options.port} is unavailable: ${(error as Error)?.message ?? error}`,
        503,
        { cause: error, service: 'redis' },
      );
    }
  }
}

/** Conversations in process memory (no Redis configured): lost on restart, no Redis spans. */
export class MemoryConversationStore implements ConversationStore {
  readonly kind = 'memory' as const;
  private readonly conversations = new Map<string, StoredMessage[]>();

  async append(id: string, message: StoredMessage, limit: number): Promise<void> {
    const list = this.conversations.get(id) ?? [];
    list.push(message);
    this.conversations.set(id, list.slice(-limit));
  }

  async history(id: string, limit: number): Promise<StoredMessage[]> {
    return (this.conversations.get(id) ?? []).slice(-limit);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.conversations.clear();
  }
}

/** The store for a configured URL: `memory` or a Redis URL. */
export function createConversationStore(url: string): ConversationStore {
  return url === 'memory' ? new MemoryConversationStore() : new RedisConversationStore(url);
}
