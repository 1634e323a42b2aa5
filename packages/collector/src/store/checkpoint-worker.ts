/**
 * Entry point of the WAL checkpoint thread (started by `BackgroundCheckpointer`): its own
 * connection to the store file copies committed WAL frames into the database and syncs both
 * files, work that would otherwise stall the ingest thread inside a commit. Answers every
 * request with the checkpoint's `[busy, log, checkpointed]` frame counts, or an error message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { CollectorError } from '../errors.js';

const port = parentPort;
// Loaded outside a worker thread is a packaging bug, never an input: the generic internal code.
if (port === null)
  throw new CollectorError(
    'AUTOBOT_ERR_COLLECTOR_INTERNAL',
    'checkpoint-worker.js runs only as a worker thread',
  );

const db = new Database((workerData as { path: string }).path, { fileMustExist: true });
// This connection never writes, so it would never checkpoint on its own; a checkpoint that finds
// the writer busy does what it can without waiting (PASSIVE never invokes the busy handler).
db.pragma('wal_autocheckpoint = 0');

port.on('message', (request: 'checkpoint' | 'close') => {
  if (request === 'close') {
    db.close();
    port.close();
    return;
  }
  try {
    const rows = db.pragma('wal_checkpoint(PASSIVE)') as {
      busy: number;
      log: number;
      checkpointed: number;
    }[];
    const { busy, log, checkpointed } = rows[0] ?? { busy: 0, log: 0, checkpointed: 0 };
    port.postMessage({ ok: true, busy, log, checkpointed });
  } catch (error) {
    port.postMessage({ ok: false, message: (error as Error).message });
  }
});
