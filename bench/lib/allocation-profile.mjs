// Bytes allocated per request, and by whom: V8's sampling heap profiler (the inspector's
// HeapProfiler.startSampling) with the objects already collected by minor and major GCs kept, so a
// profile counts everything allocated in its window, not only what is still alive at its end. Each
// sample stands for about `samplingInterval` bytes (V8 draws the points at random, Poisson), so a
// figure is an estimate whose error shrinks with the bytes allocated.

import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** Starts sampling in this process; the returned function stops it and writes the profile to `file`. */
export async function startAllocationSampling(samplingInterval) {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return async (file) => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
  };
}

const TRACING = '/packages/tracing/';
/** Who a frame belongs to, by its script URL (builtins and native code have none). */
const LIBRARIES = 'Fastify, ioredis, light-my-request';
const OWNERS = [
  ['@autobot/tracing', (url) => url.includes(TRACING)],
  ['OpenTelemetry', (url) => url.includes('/@opentelemetry/')],
  [
    LIBRARIES,
    (url) => /node_modules\/(fastify|ioredis|light-my-request|find-my-way|avvio|@fastify)\//.test(url),
  ],
  ['Node.js and undici', (url) => url.startsWith('node:')],
];
const ownerOf = (url) => OWNERS.find(([, test]) => test(url))?.[0] ?? 'other';

/** `name file:line` of a call frame, the path cut to what follows node_modules/ or packages/. */
function frameName({ functionName, url, lineNumber }) {
  return `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|packages)\//, '')}:${lineNumber + 1}`;
}

/**
 * A profile written by {@link startAllocationSampling}, per request (`requests` served in its
 * window): the bytes in all; by owner of the innermost frame that has a script (a builtin's
 * allocation, `new Map` say, belongs to the script that called it); the bytes allocated by
 * @autobot/tracing's functions and what they call in OpenTelemetry, Node.js and builtins; and
 * those bytes by the innermost tracing function.
 */
export function allocationSummary(file, requests) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byOwner = {};
  const byTracingFunction = new Map();
  let total = 0;
  let underTracing = 0;
  const walk = (node, scripted, tracing) => {
    const frame = node.callFrame;
    const here = frame.url === '' ? scripted : frame;
    // What a tracing frame allocates through OpenTelemetry, Node.js and builtins is its own; once
    // the stack reaches the app or a library again (a hook's `done` runs the rest of the request)
    // it is not.
    const owner = frame.url === '' ? undefined : ownerOf(frame.url);
    const inTracing =
      owner === '@autobot/tracing'
        ? frameName(frame)
        : owner === 'other' || owner === LIBRARIES
          ? undefined
          : tracing;
    if (node.selfSize > 0) {
      total += node.selfSize;
      const owner = here === undefined ? 'other' : ownerOf(here.url);
      byOwner[owner] = (byOwner[owner] ?? 0) + node.selfSize;
      if (inTracing !== undefined) {
        underTracing += node.selfSize;
        byTracingFunction.set(inTracing, (byTracingFunction.get(inTracing) ?? 0) + node.selfSize);
      }
    }
    for (const child of node.children) walk(child, here, inTracing);
  };
  walk(profile.head, undefined, undefined);
  const per = (bytes) => Math.round(bytes / requests);
  return {
    bytesPerRequest: per(total),
    byOwner: Object.fromEntries(Object.entries(byOwner).map(([k, v]) => [k, per(v)])),
    underTracingPerRequest: per(underTracing),
    topTracingFunctions: [...byTracingFunction]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([fn, bytes]) => ({ function: fn, bytesPerRequest: per(bytes) })),
  };
}
