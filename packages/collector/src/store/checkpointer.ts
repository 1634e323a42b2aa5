import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { WAL_AUTOCHECKPOINT_PAGES } from './schema.js';

/**
 * While the checkpoint thread runs, the writer checkpoints itself only once the WAL holds this
 * many frames (about 65 MB at 4 KiB pages): a bound on the WAL if the thread falls behind or is
 * starved, never reached while it keeps up.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 4 * WAL_AUTOCHECKPOINT_PAGES;

/** Least time between two checkpoint requests while spans arrive, in ms. */
export const CHECKPOINT_INTERVAL_MS = 100;

/** A checkpoint thread's answer (see checkpoint-worker.ts). */
export type CheckpointReply =
  | { ok: true; busy: number; log: number; checkpointed: number }
  | { ok: false; message: string };

function workerUrl(): URL {
  // Under vitest this module runs from src/*.ts; the worker then runs the built file (tsc -b first).
  if (import.meta.url.endsWith('.ts')) {
    return new URL(
      import.meta.url.replace(/\/src\/store\/checkpointer\.ts$/, '/dist/store/checkpoint-worker.js'),
    );
  }
  return new URL('./checkpoint-worker.js', import.meta.url);
}

/**
 * Moves WAL checkpoints of a file store off the ingest thread. With SQLite's automatic
 * checkpoints, every few thousand pages one commit copies the WAL into the database and syncs
 * both files before it returns (the largest share of commit time on the ingest bench); here a
 * worker thread with its own connection does that between commits, asked at most every
 * {@link CHECKPOINT_INTERVAL_MS} while spans arrive and never while idle. The writer keeps a
 * higher automatic threshold as a bound, and returns to the normal one if the thread dies.
 */
export class BackgroundCheckpointer {
  private readonly worker: Worker;
  private pending = false;
  private lastRequestAt = Number.NEGATIVE_INFINITY;
  private running = true;
  private closing: Promise<void> | null = null;
  /** Checkpoints done, failed, and the last error (read by the tests; `/status` does not show them). */
  readonly stats = { checkpoints: 0, failures: 0, lastError: null as string | null };

  /**
   * Starts the thread for the file store at `path` whose writing connection is `writer`; null
   * when no thread can start (SQLite's own checkpoints then simply go on).
   */
  static start(path: string, writer: Database.Database): BackgroundCheckpointer | null {
    try {
      return new BackgroundCheckpointer(path, writer);
    } catch {
      return null;
    }
  }

  private constructor(
    path: string,
    private readonly writer: Database.Database,
  ) {
    this.worker = new Worker(workerUrl(), { workerData: { path } });
    this.worker.unref();
    writer.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    this.worker.on('message', (reply: CheckpointReply) => {
      this.pending = false;
      if (reply.ok) this.stats.checkpoints++;
      else {
        this.stats.failures++;
        this.stats.lastError = reply.message;
      }
    });
    this.worker.on('error', (error) => {
      this.stats.lastError = error.message;
    });
    this.worker.on('exit', () => this.stop());
  }

  /** Called after each commit: asks for a checkpoint unless one is running or was asked recently. */
  afterCommit(): void {
    if (!this.running || this.pending) return;
    const now = performance.now();
    if (now - this.lastRequestAt < CHECKPOINT_INTERVAL_MS) return;
    this.lastRequestAt = now;
    this.pending = true;
    this.worker.postMessage('checkpoint');
  }

  /** Whether the thread is still checkpointing (false once closed or after it died). */
  get active(): boolean {
    return this.running;
  }

  /** Closes the thread's connection and ends it; the writer checkpoints itself again. Idempotent. */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      if (!this.running) return resolve();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage('close');
    });
    return this.closing;
  }

  /** The thread is gone (closed or crashed): SQLite's own checkpoints take over again. */
  private stop(): void {
    if (!this.running) return;
    this.running = false;
    try {
      if (this.writer.open) this.writer.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    } catch {
      // The writer is closing too; nothing left to checkpoint for.
    }
  }
}
