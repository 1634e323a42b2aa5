// Start bench/lib/otlp-sink-server.mjs: the counting OTLP/HTTP sink that stands in for the remote
// collector in the overhead run (the collector itself is measured on its own, bench/collector).
import { fileURLToPath } from 'node:url';
import { startNode, waitForLine } from './procs.mjs';

const SERVER = fileURLToPath(new URL('./otlp-sink-server.mjs', import.meta.url));

/**
 * The sink in its own process (niced by `nice`). Returns { proc, httpUrl, counts() } where
 * counts() resolves { requests, spans, failedRequests, rejectedSpans, spansByService }.
 */
export async function startOtlpSink({ nice = 0 } = {}) {
  const proc = startNode(SERVER, { nice, name: 'otlp-sink' });
  const { httpPort } = await waitForLine(proc, (l) => l.event === 'listening');
  const base = `http://127.0.0.1:${httpPort}`;
  return {
    proc,
    httpUrl: `${base}/v1/traces`,
    async counts() {
      const response = await fetch(`${base}/counts`);
      return response.json();
    },
  };
}
