/**
 * Entry point of a search worker thread (started by `SearchPool`): opens its own read-only
 * connection to the store file and answers search requests one at a time. The pool terminates
 * the thread when a search runs past its time budget.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  jaegerTracesResponseBody,
  type LimitedSearchRequest,
  searchResponseBody,
} from '../api/search-bodies.js';
import { CollectorError } from '../errors.js';
import type { SearchJobMessage, SearchMethod, SearchReplyMessage } from './search-pool.js';
import { TraceReader } from './trace-reader.js';

const port = parentPort;
// Loaded outside a worker thread is a packaging bug, never an input: the generic internal code.
if (port === null)
  throw new CollectorError('AUTOBOT_ERR_COLLECTOR_INTERNAL', 'search-worker.js runs only as a worker thread');

let reader: TraceReader | undefined;
let openError: unknown;
try {
  reader = TraceReader.openReadOnly((workerData as { path: string }).path);
} catch (error) {
  openError = error;
}

const encoder = new TextEncoder();

/** Runs one job; a response body is returned as UTF-8 bytes with a buffer of their own. */
function run(r: TraceReader, method: SearchMethod, request: SearchJobMessage['request']) {
  switch (method) {
    case 'search':
      return r.search(request);
    case 'searchTraceIds':
      return r.searchTraceIds(request);
    case 'searchBody':
      return encoder.encode(searchResponseBody(r, request as LimitedSearchRequest));
    case 'jaegerTracesBody':
      return encoder.encode(jaegerTracesResponseBody(r, request as LimitedSearchRequest));
  }
}

port.on('message', (job: SearchJobMessage) => {
  let reply: SearchReplyMessage;
  try {
    if (reader === undefined) throw openError;
    reader.refresh();
    reply = { id: job.id, ok: true, value: run(reader, job.method, job.request) };
  } catch (error) {
    reply = { id: job.id, ok: false, message: (error as Error)?.message ?? String(error) };
  }
  // A body's bytes are moved to the collector's thread, not copied.
  if (reply.ok && reply.value instanceof Uint8Array)
    port.postMessage(reply, [reply.value.buffer as ArrayBuffer]);
  else port.postMessage(reply);
});
