/**
 * Entry point of a search worker thread (started by `SearchPool`): opens its own read-only
 * connection to the store file and answers search requests one at a time. The pool terminates
 * the thread when a search runs past its time budget.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SearchJobMessage, SearchReplyMessage } from './search-pool.js';
import { TraceReader } from './trace-reader.js';

const port = parentPort;
if (port === null) throw new Error('search-worker.js runs only as a worker thread');

let reader: TraceReader | undefined;
let openError: unknown;
try {
  reader = TraceReader.openReadOnly((workerData as { path: string }).path);
} catch (error) {
  openError = error;
}

port.on('message', (job: SearchJobMessage) => {
  let reply: SearchReplyMessage;
  try {
    if (reader === undefined) throw openError;
    reader.refresh();
    const value = job.method === 'search' ? reader.search(job.request) : reader.searchTraceIds(job.request);
    reply = { id: job.id, ok: true, value };
  } catch (error) {
    reply = { id: job.id, ok: false, message: (error as Error)?.message ?? String(error) };
  }
  port.postMessage(reply);
});
