// CPU per span of the export path alone, old vs new, each in its own process, alternated:
//   sdk:     BatchSpanProcessor → the official OTLP/HTTP protobuf exporter (serializes at export)
//   encoded: EncodeOnEndSpanProcessor → BatchSpanProcessor → our exporter (encodes at span end)
// Spans (a server span's 12 attributes) are created and ended at a steady rate while a counting
// sink in another process receives the exports over real OTLP/HTTP; CPU time of the span-making
// process (user + system, GC included) per span, at ≈ 20,000 spans/s. Run after `npm run build`:
//   node bench/overhead/export-path.mjs [spans=200000] [passes=3] [--node <path>]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startOtlpSink } from '../lib/otlp-sink.mjs';
import { benchNode, stopAll } from '../lib/procs.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { node: { type: 'string' }, child: { type: 'boolean' } },
});
if (values.child) {
  await child(positionals[0], positionals[1], Number(positionals[2]));
} else {
  const spans = Number(positionals[0] ?? 200_000);
  const passes = Number(positionals[1] ?? 3);
  const node = benchNode(values.node);
  const sink = await startOtlpSink();
  const results = { sdk: [], encoded: [] };
  try {
    for (let pass = 0; pass < passes; pass++) {
      for (const variant of pass % 2 ? ['encoded', 'sdk'] : ['sdk', 'encoded']) {
        const run = spawnSync(
          node.path,
          [fileURLToPath(import.meta.url), '--child', variant, sink.httpUrl, String(spans)],
          {
            encoding: 'utf8',
          },
        );
        if (run.status !== 0) throw new Error(`${variant}: ${run.stderr}`);
        results[variant].push(JSON.parse(run.stdout.trim()));
      }
    }
    const counts = await sink.counts();
    console.log(
      `node ${node.version}; ${spans} spans × ${passes} passes; sink received ${counts.spans} spans, ${counts.failedRequests} failed requests`,
    );
    for (const [variant, runs] of Object.entries(results)) {
      const us = runs.map((r) => r.cpuUsPerSpan).sort((a, b) => a - b);
      console.log(
        `${variant.padEnd(8)} CPU µs/span median ${us[us.length >> 1].toFixed(2)} [${us.map((u) => u.toFixed(2)).join(' ')}]  exported ${runs.map((r) => r.exported).join(' ')}`,
      );
    }
  } finally {
    await stopAll();
  }
}

async function child(variant, url, count) {
  const { SpanKind, TraceFlags } = await import('@opentelemetry/api');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const { BatchSpanProcessor, TracerProvider } = await import('@opentelemetry/sdk-trace');
  const exporterOptions = { url, timeoutMillis: 10_000 };
  let exporter;
  let processor;
  const stats = { exported: 0 };
  const counting = (inner) => ({
    export: (spans, done) =>
      inner.export(spans, (r) => {
        if (r.code === 0) stats.exported += spans.length;
        done(r);
      }),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.(),
  });
  // The tracing library's defaults.
  const bspOptions = { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 1000 };
  if (variant === 'sdk') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    exporter = counting(new OTLPTraceExporter(exporterOptions));
    processor = new BatchSpanProcessor({ exporter, ...bspOptions });
  } else {
    const { createEncodedOtlpExporter, EncodeOnEndSpanProcessor } = await import(
      '../../packages/tracing/dist/otlp/encoded-export.js'
    );
    exporter = counting(createEncodedOtlpExporter('http/protobuf', exporterOptions));
    processor = new EncodeOnEndSpanProcessor(new BatchSpanProcessor({ exporter, ...bspOptions }));
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'export-path',
      'service.namespace': 'autobot',
      'host.name': 'bench',
    }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('autobot.http-server');
  const one = (i) => {
    const span = tracer.startSpan('HTTP GET /api/work/:id', {
      kind: SpanKind.SERVER,
      attributes: {
        'http.method': 'GET',
        'http.request.method': 'GET',
        'url.path': `/api/work/${i % 100}`,
        'url.scheme': 'http',
        'http.url': `http://127.0.0.1:3000/api/work/${i % 100}`,
        'server.address': '127.0.0.1',
        'client.address': '127.0.0.1',
        'http.route': '/api/work/:id',
        'server.port': 3000,
        'user_agent.original': 'autocannon',
      },
    });
    span.setAttribute('http.status_code', 200);
    span.setAttribute('http.response.status_code', 200);
    span.end();
    void TraceFlags;
  };
  // Warm-up, then the measured run: 100 spans every 5 ms (≈ 20,000 spans/s, a busy service's rate
  // and below what the export path sustains, so nothing is dropped).
  const slices = async (n) => {
    for (let i = 0; i < n; i += 100) {
      for (let j = 0; j < 100; j++) one(i + j);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await slices(20_000);
  await provider.forceFlush();
  stats.exported = 0;
  const before = process.cpuUsage();
  await slices(count);
  await provider.forceFlush();
  const used = process.cpuUsage(before);
  process.stdout.write(
    `${JSON.stringify({ variant, cpuUsPerSpan: (used.user + used.system) / count, exported: stats.exported })}\n`,
  );
  await provider.shutdown();
}
