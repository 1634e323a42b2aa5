// Before/after, piece by piece: each piece of the traced request path is run from two builds of
// @autobot/tracing (`--before`: an older build's packages/tracing/dist, e.g. a worktree of the
// previous commit; after: this checkout's dist) in ONE process, the two variants alternating
// pass by pass, so both see the same machine. CPU time (user + system) per operation, median of
// the passes. Whole-request benchmarks on this 2-core VM move by more than one piece's effect
// (hypervisor steal); in-process alternation resolves the pieces. Writes
// bench/results/pieces-node<major>.json, rendered by bench/report.mjs.
//   node bench/overhead/pieces.mjs --before /abs/path/to/old/packages/tracing/dist
//        [--passes 9] [--ops 40000] [--only id,id] [--node <path>] [--force] [--max-load 0.5] [--settle-wait 180]
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { benchNode, ROOT } from '../lib/procs.mjs';
import { hostCpuTimes, QUIET_OPTIONS, quietGate, stealPercent } from '../lib/quiet.mjs';
import { perNodeName, writeResult } from '../lib/results.mjs';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    passes: { type: 'string', default: '9' },
    ops: { type: 'string', default: '40000' },
    only: { type: 'string' },
    node: { type: 'string' },
    child: { type: 'boolean' },
    ...QUIET_OPTIONS,
  },
});
if (!values.before) throw new Error('--before <path to an older packages/tracing/dist> is required');
const afterDist = join(ROOT, 'packages/tracing/dist');

/** The commit checked out where `dir` is (the older build's worktree), or null. */
function commitOf(dir) {
  const git = spawnSync('git', ['-C', dir, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' });
  return git.status === 0 ? git.stdout.trim().slice(0, 100) : null;
}

/** Import a module of a tracing dist folder. */
const load = (dist, file) => import(pathToFileURL(join(dist, file)).href);

async function measure(beforeDist, afterDist, passes, ops) {
  const api = await import('@opentelemetry/api');
  const before = await buildPieces(api, beforeDist);
  const after = await buildPieces(api, afterDist);
  const pieces = [];
  const only = values.only?.split(',');
  for (const piece of PIECES) {
    if (only && !only.includes(piece.id)) continue;
    const runs = { before: [], after: [] };
    const fns = { before: before[piece.id], after: after[piece.id] };
    for (const side of ['before', 'after']) for (let i = 0; i < ops / 10; i++) fns[side](); // warm-up
    for (let pass = 0; pass < passes; pass++) {
      for (const side of pass % 2 ? ['after', 'before'] : ['before', 'after']) {
        const fn = fns[side];
        const start = process.cpuUsage();
        for (let i = 0; i < ops; i++) fn();
        const used = process.cpuUsage(start);
        runs[side].push(((used.user + used.system) * 1000) / ops);
        // Let the batch processors' timers run between passes, as a live process would.
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    pieces.push({ id: piece.id, what: piece.what, before: summary(runs.before), after: summary(runs.after) });
  }
  return { passes, ops, pieces, checksum: before.checksum() + after.checksum() };
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[sorted.length >> 1], passes: values };
}

const PIECES = [
  {
    id: 'context',
    what: "a request's contexts: 4 derived (extract ×2, server span, client span), 19 lookups",
  },
  { id: 'b3-parse', what: 'parse a `b3` single header with ids, decision and parent' },
  { id: 'tp-parse', what: 'parse a `traceparent`' },
  { id: 'extract', what: 'extract `traceparent` + `b3` through the composite propagator' },
  { id: 'encode', what: 'encode an ended server span (9 + 3 attributes) to its OTLP `Span` message' },
  {
    id: 'encode-varied',
    what: 'encode an ended server span whose path, URL and client port differ from span to span (1,024 of each, in turn)',
  },
  {
    id: 'server-span',
    what: 'start a sampled server span (9 attributes) under a remote parent, set 3, end it into the encoding processor',
  },
  {
    id: 'unsampled',
    what: 'an unsampled request (rate 0): A starts the trace (ids only), checks its parent for fetch and Redis, injects `traceparent` + `b3`; B extracts and continues it',
  },
  {
    id: 'request-logs',
    what: "a request's pino logging: Fastify's per-request child, trace ids added, 2 lines written",
  },
];

const TRACE_ID = '80f198ee56343ba864fe8b2a57d3eff7';
const HEADERS = {
  traceparent: `00-${TRACE_ID}-e457b5a2e4d86bd1-03`,
  b3: `${TRACE_ID}-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90`,
};
const serverAttributes = () => ({
  'http.method': 'GET',
  'http.request.method': 'GET',
  'url.path': '/api/work/42',
  'url.scheme': 'http',
  'http.url': 'http://127.0.0.1:3000/api/work/42',
  'server.address': '127.0.0.1',
  'client.address': '127.0.0.1',
  'http.route': '/api/work/:id',
  'server.port': 3000,
});

/** Reads header carriers that are plain objects (both the extract piece and the unsampled one). */
const GETTER = { get: (carrier, key) => carrier[key], keys: (carrier) => Object.keys(carrier) };

/** A discarding span processor: what follows the encoder (the batch queue) is the same in both. */
const DISCARD = { onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} };

/**
 * The timed pieces of one side (`before` = the baseline build, `after` = this build), each a
 * closure that feeds a shared checksum: the setup here, the span path in
 * {@link serverSpanStarter}, the pieces themselves in {@link pieceTable}.
 */
async function buildPieces(api, dist) {
  const { createSampler } = await load(dist, 'provider.js');
  const { EncodeOnEndSpanProcessor } = await load(dist, 'otlp/encoded-export.js');
  const { RandomTraceFlagTracerProvider } = await load(dist, 'random-trace-flag.js');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  // An older build without the lean context (or, below, the lean span path) runs the SDK's.
  const lean = await load(dist, 'context/lean-context.js').catch(() => undefined);
  const root = lean ? lean.LEAN_ROOT_CONTEXT : api.ROOT_CONTEXT;

  const resource = resourceFromAttributes({ 'service.name': 'pieces' });
  const processor = new EncodeOnEndSpanProcessor(DISCARD);
  const provider = new RandomTraceFlagTracerProvider({
    resource,
    sampler: createSampler(1),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('autobot.http-server');
  const parent = api.trace.setSpanContext(root, {
    traceId: TRACE_ID,
    spanId: 'e457b5a2e4d86bd1',
    traceFlags: 3,
    isRemote: true,
  });
  const startServerSpan = await serverSpanStarter(api, dist, {
    resource,
    processor,
    provider,
    tracer,
    parent,
  });
  const ended = startServerSpan();
  ended.setAttribute('http.status_code', 200);
  ended.end();
  const varied = Array.from({ length: 1024 }, (_, i) => variedSpan(encodableSpan(ended), i));
  return pieceTable(api, dist, { root, startServerSpan, toEncode: encodableSpan(ended), varied });
}

/** The fast-path hint each build's server-span piece runs with (none for builds without a fast path). */
const samplingHints = new Map();

/**
 * How a side starts the server span: the build's instrumentation path (LeanSpan through the same
 * processors) where it has one, the SDK tracer for older builds.
 */
async function serverSpanStarter(api, dist, { resource, processor, provider, tracer, parent }) {
  const fastPath = await load(dist, 'instrumentation/fast-path.js').catch(() => undefined);
  if (fastPath?.startInstrumentationSpan === undefined) {
    return () =>
      tracer.startSpan(
        'HTTP GET /api/work/:id',
        { kind: api.SpanKind.SERVER, attributes: serverAttributes() },
        parent,
      );
  }
  const { TraceIdRatioBasedSampler } = await import('@opentelemetry/sdk-trace');
  const limits = {
    attributeCountLimit: 128,
    attributeValueLengthLimit: Infinity,
    eventCountLimit: 128,
    linkCountLimit: 128,
    attributePerEventCountLimit: 128,
    attributePerLinkCountLimit: 128,
  };
  const hint = {
    root: new TraceIdRatioBasedSampler(1),
    rate: 1,
    pipeline: {
      resource,
      processors: [processor],
      limits,
      scope: (name) => provider.instrumentationScope(name),
    },
  };
  fastPath.setSamplingHint(hint);
  samplingHints.set(dist, hint);
  return () =>
    fastPath.startInstrumentationSpan(
      tracer,
      'autobot.http-server',
      'HTTP GET /api/work/:id',
      api.SpanKind.SERVER,
      serverAttributes(),
      parent,
    );
}

/** A finished span as the encoder reads it, with the attributes a server span ends with. */
function encodableSpan(ended) {
  return {
    ...ended,
    spanContext: () => ended.spanContext(),
    name: ended.name,
    kind: ended.kind,
    parentSpanContext: ended.parentSpanContext,
    startTime: ended.startTime,
    endTime: ended.endTime,
    attributes: {
      ...serverAttributes(),
      'http.status_code': 200,
      'http.response.status_code': 200,
      'http.duration_ms': 1.25,
    },
    status: ended.status,
    events: [],
    links: [],
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** Span `i` of the varied-encoding piece: its own path, URL and client port (a service's traffic). */
function variedSpan(span, i) {
  const path = `/api/work/${1000 + i}`;
  return {
    ...span,
    attributes: {
      ...span.attributes,
      'url.path': path,
      'http.url': `http://127.0.0.1:3000${path}`,
      'client.port': 40000 + i,
    },
  };
}

/**
 * What log correlation adds to a request that logs through pino: the build's own
 * `correlateRequestLogs` (a pino mixin reading ids off the request's logger), or for builds
 * before it, the `request.log.child({ trace_id, span_id })` their Fastify hook made.
 */
async function requestLogCorrelator(dist) {
  const { default: pino } = await import('pino');
  let written = 0;
  const app = { log: pino({ level: 'info' }, { write: (line) => (written += line.length) }) };
  const module = await load(dist, 'instrumentation/log-correlation.js').catch(() => null);
  if (module !== null) module.installLogCorrelation(app);
  const correlate =
    module !== null
      ? (request, reply) => module.correlateRequestLogs(app, request, reply, TRACE_ID, 'e457b5a2e4d86bd1')
      : (request, reply) => {
          request.log = request.log.child({ trace_id: TRACE_ID, span_id: 'e457b5a2e4d86bd1' });
          reply.log = request.log;
        };
  let id = 0;
  return () => {
    const log = app.log.child({ reqId: `req-${++id}` }); // Fastify's default childLoggerFactory
    const request = { log };
    const reply = { log };
    correlate(request, reply);
    request.log.info('inside the handler');
    reply.log.info({ res: { statusCode: 200 }, responseTime: 1.5 }, 'request completed');
    return written;
  };
}

/**
 * The library's work on one request at rate 0 across A → B, without Fastify and undici around it:
 * A's server span (no incoming headers: a new unsampled trace), the "is the parent unsampled?"
 * checks of its fetch and Redis instrumentation, the fetch's `traceparent` + `b3` injection; B's
 * extraction and its own unsampled span (the id its `traceresponse` carries). The fast path's
 * rate-0 hint is set for the call and the side's own hint (see {@link samplingHints}) restored after it.
 */
async function unsampledRequestPath(api, dist, root, propagator) {
  const fastPath = await load(dist, 'instrumentation/fast-path.js');
  const { TraceIdRatioBasedSampler } = await import('@opentelemetry/sdk-trace');
  const rate0 = { root: new TraceIdRatioBasedSampler(0), rate: 0 };
  const setter = { set: (carrier, key, value) => (carrier[key] = value) };
  return () => {
    fastPath.setSamplingHint(rate0);
    const a = api.trace.setSpan(root, fastPath.unsampledSpan(root));
    const headers = {};
    if (fastPath.parentNotSampled(a)) propagator.inject(a, headers, setter); // fetch
    const redisSkipped = fastPath.parentNotSampled(a); // Redis
    const b = fastPath.unsampledSpan(propagator.extract(root, headers, GETTER));
    fastPath.setSamplingHint(samplingHints.get(dist));
    return (redisSkipped ? 1 : 0) + b.spanContext().spanId.length + headers.b3.length;
  };
}

/** The pieces by name, plus `checksum`. */
async function pieceTable(api, dist, { root, startServerSpan, toEncode, varied }) {
  const requestLogs = await requestLogCorrelator(dist);
  const { parseB3Single } = await load(dist, 'b3.js');
  const { parseTraceparent } = await load(dist, 'w3c-trace-context.js');
  const { createPropagator } = await load(dist, 'propagation.js');
  const { encodeSpan } = await load(dist, 'otlp/span-encoder.js');
  const propagator = createPropagator();
  const unsampledRequest = await unsampledRequestPath(api, dist, root, propagator);
  const keys = [api.createContextKey('span'), api.createContextKey('b3'), api.createContextKey('baggage')];
  // Every result feeds `sink`, so the optimizer cannot drop the work; its total is recorded.
  let sink = 0;
  let nextVaried = 0;
  return {
    checksum: () => sink,
    context: () => {
      let ctx = root.setValue(keys[1], 1).setValue(keys[0], 2);
      ctx = ctx.setValue(keys[0], 3);
      const child = ctx.setValue(keys[0], 4);
      for (let i = 0; i < 6; i++)
        sink +=
          (child.getValue(keys[0]) ?? 0) +
          (child.getValue(keys[2]) === undefined ? 1 : 0) +
          (child.getValue(keys[1]) ?? 0);
      sink += ctx.getValue(keys[1]);
    },
    'b3-parse': () => {
      sink += parseB3Single(HEADERS.b3).spanId.length;
    },
    'tp-parse': () => {
      sink += parseTraceparent(HEADERS.traceparent).traceFlags;
    },
    extract: () => {
      sink += api.trace.getSpanContext(propagator.extract(root, HEADERS, GETTER)).traceFlags;
    },
    encode: () => {
      sink += encodeSpan(toEncode).length;
    },
    'encode-varied': () => {
      sink += encodeSpan(varied[nextVaried++ & 1023]).length;
    },
    'server-span': () => {
      const span = startServerSpan();
      span.setAttribute('http.status_code', 200);
      span.setAttribute('http.response.status_code', 200);
      span.setAttribute('http.duration_ms', 1.25);
      span.end();
    },
    unsampled: () => {
      sink += unsampledRequest();
    },
    'request-logs': () => {
      sink += requestLogs() & 1;
    },
  };
}

// Last: every constant above is initialized before the run starts.
if (values.child) {
  const result = await measure(resolve(values.before), afterDist, Number(values.passes), Number(values.ops));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const log = (line) => process.stderr.write(`${line}\n`);
  const node = benchNode(values.node);
  const gate = await quietGate(values, log);
  const hostBefore = hostCpuTimes();
  const run = spawnSync(node.path, [fileURLToPath(import.meta.url), '--child', ...process.argv.slice(2)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(run.stderr);
  const result = JSON.parse(run.stdout.trim());
  const file = writeResult(perNodeName('pieces', node.version), {
    node: node.version,
    before: values.before,
    beforeCommit: commitOf(values.before),
    ...gate,
    loadavgAfter: loadavg(),
    stealPercent: stealPercent(hostBefore, hostCpuTimes()),
    ...result,
  });
  for (const piece of result.pieces) {
    log(
      `${piece.id.padEnd(12)} before ${piece.before.median.toFixed(0).padStart(6)} ns  after ${piece.after.median
        .toFixed(0)
        .padStart(6)} ns  (${(piece.after.median / piece.before.median).toFixed(2)}×)`,
    );
  }
  log(`wrote ${file}`);
}
