// bench/RESULTS.md, section 3: the collector's ingest rate, query latency and the Monitor / LLM
// pages, from bench/results/collector-{ingest,query,monitor}.json.
import { loadLine, n, row, verdict, x } from './format.mjs';

/** Issue 17: RED maintenance may cost the collector at most this share of its ingest rate. */
const RED_COST_BOUND = 0.1;
/** Issue 18: query p95 "unchanged" with search workers: at most this × inline p95 plus the slack. */
const QUERY_P95_RATIO_BOUND = 1.1;
const QUERY_P95_SLACK_MS = 2;
/** Issue 17: the Monitor and LLM pages answer within this over 1M stored spans. */
const MONITOR_PAGE_BOUND_MS = 200;
/** Issue 15 / the collector's design targets: ingest rate and indexed-query p95 over 1M spans. */
const INGEST_TARGET_SPANS_PER_SEC = 50_000;
const QUERY_P95_TARGET_MS = 50;

/** Writes section 3 through `out`; each result may be null (not measured yet). */
export function renderCollector(out, { ingest, query, monitor, ingestBuilds, workerWakes = [] }) {
  out('## 3. Collector ingest and query');
  out();
  if (ingest || query) {
    renderMeasured(out, ingest, query);
  } else {
    out('Not measured yet: `npm run bench:collector` writes `bench/results/collector-ingest.json` and');
    out('`collector-query.json`, which this section renders.');
  }
  out();
  for (const { result } of workerWakes) renderWorkerWake(out, result);
  for (const record of ingestBuilds) renderIngestBuilds(out, record);
  renderMonitor(out, monitor);
  out('Not re-run by `npm run bench`: filling 1M spans takes minutes.');
  out();
}

/** The ingest and query figures against their targets, then the per-case query latencies. */
function renderMeasured(out, ingest, query) {
  out(
    '`npm run bench:collector` (`bench/collector/ingest.mjs`, `query.mjs`; details: [bench/collector/RESULTS.md](collector/RESULTS.md)),',
  );
  out(
    `512-span batches with 10 attributes from a separate sender process. Ingest: ${ingest?.startedAt ?? 'not run'}; query: ${query?.startedAt ?? 'not run'}.`,
  );
  for (const [name, result] of [
    ['Ingest', ingest],
    ['Query', query],
  ]) {
    if (result?.loadavgBefore)
      out(
        `- ${name} (${result.cpu ?? 'machine not recorded'}, ${result.cores ?? '?'} cores, Node ${result.node}): ${loadLine(result)}${result.rounds ? `; ${result.rounds} rounds, configurations alternated, medians` : ''}.`,
      );
  }
  out();
  out('| figure | measured | target | verdict |');
  out('| --- | ---: | ---: | --- |');
  if (ingest) renderIngestRows(out, ingest);
  if (query) renderQueryRows(out, query);
  out();
  const compared = query?.results.filter((r) => r.inline) ?? [];
  if (compared.length > 0) {
    out(
      `Query latency per case, worker pool (default) vs \`--query-workers 0\` (inline on the main thread, no budget), alternated request by request on the same store (${runsText(query)}):`,
    );
    out();
    out('| case | results | runs | workers p50 / p95 ms | inline p50 / p95 ms | p95 ratio | verdict |');
    out('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const r of compared) {
      out(
        row([
          r.query,
          String(r.results),
          String(r.runs ?? query.runs),
          `${r.p50ms} / ${r.p95ms}`,
          `${r.inline.p50ms} / ${r.inline.p95ms}`,
          x(r.p95Ratio),
          verdict(r.p95ms <= QUERY_P95_RATIO_BOUND * r.inline.p95ms + QUERY_P95_SLACK_MS),
        ]),
      );
    }
  }
}

/** `ingest.mjs --dist …`: collector builds side by side (default configuration, medians). */
function renderIngestBuilds(out, record) {
  const steal = record.stealPercent === undefined ? '' : `, hypervisor steal ${record.stealPercent} %`;
  out(
    `Collector builds compared (\`node bench/collector/ingest.mjs ${record.batches} ${record.concurrency} --rounds ${record.runs.length / record.builds.length} --dist … --dist …\`, alternated by round, medians; ${record.node}, ${record.startedAt}, load average ${record.loadavgBefore.map((v) => v.toFixed(1)).join(' / ')} before${steal}${record.about ? '' : '; what each build is: bench/collector/RESULTS.md'}):`,
  );
  out();
  if (record.about) {
    out(record.about);
    out();
  }
  out('| build | OTLP/HTTP spans/s | OTLP/gRPC spans/s | CPU µs/span HTTP / gRPC |');
  out('| --- | ---: | ---: | ---: |');
  for (const b of record.builds) {
    out(
      row([
        `\`${b.dist}\``,
        b.httpSpansPerSec.toLocaleString('en-US'),
        b.grpcSpansPerSec.toLocaleString('en-US'),
        `${b.httpCpuUsPerSpan} / ${b.grpcCpuUsPerSpan}`,
      ]),
    );
  }
  out();
  const perRound = (b) =>
    record.runs
      .filter((r) => r.config === b.dist)
      .map(
        (r) => `${r.httpSpansPerSec.toLocaleString('en-US')} / ${r.grpcSpansPerSec.toLocaleString('en-US')}`,
      )
      .join(', ');
  out('Each round (HTTP / gRPC spans/s):');
  out();
  for (const b of record.builds) out(`- \`${b.dist}\`: ${perRound(b)}`);
  out();
}

/** The wake-up latency of an idle worker thread: the floor under the worker pool's query latency. */
function renderWorkerWake(out, r) {
  const steal = r.stealPercent === null ? '' : `, hypervisor steal ${r.stealPercent} %`;
  out(
    `Waking an idle worker thread (\`node bench/collector/worker-wake.mjs ${r.samples} --gap-ms ${r.gapMs}\`: an empty message every ${r.gapMs} ms, about as spaced as the query benchmark's searches; ${r.node}, ${r.startedAt}, load average ${r.loadavgBefore.map((v) => v.toFixed(1)).join(' / ')} before${steal}). A search in the worker pool pays "to worker" before it starts and the rest of the round trip after it ends, whatever the search does:`,
  );
  out();
  out('| ms | p50 | p95 | p99 | max |');
  out('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, q] of [
    ['post → worker handler', r.toWorker],
    ['round trip, empty job', r.roundTrip],
  ])
    out(row([name, q.p50, q.p95, q.p99, q.max]));
  out();
}

/** How many runs each case had: fixed in older result files, adaptive since round 22. */
function runsText(query) {
  if (query.maxRuns === undefined) return `${query.runs} runs each`;
  return `${query.runs} to ${query.maxRuns} runs per case, more while a case has used under ${query.caseSeconds} s`;
}

/** Table rows of the ingest rates (HTTP, gRPC), RSS, span-metrics cost and TLS + token rates. */
function renderIngestRows(out, ingest) {
  // CPU µs per span of the collector (and of its main thread, which bounds the rate) and of the
  // sender, which shares the machine's cores (result files before round 25 hold the collector's only).
  const cpuOf = (collector, main, sender) =>
    sender === undefined
      ? ''
      : ` (CPU µs/span: collector ${collector}, its main thread ${main}; sender ${sender})`;
  out(
    row([
      'ingest, OTLP/HTTP protobuf',
      `${n(ingest.collectorSpansPerSec)} spans/s${cpuOf(ingest.collectorCpuUsPerSpan, ingest.collectorMainCpuUsPerSpan, ingest.senderCpuUsPerSpan)}`,
      `≥ ${n(INGEST_TARGET_SPANS_PER_SEC)}`,
      verdict(ingest.collectorSpansPerSec >= INGEST_TARGET_SPANS_PER_SEC),
    ]),
  );
  out(
    row([
      'ingest, OTLP/gRPC',
      `${n(ingest.collectorGrpcSpansPerSec)} spans/s${cpuOf(ingest.collectorGrpcCpuUsPerSpan, ingest.collectorGrpcMainCpuUsPerSpan, ingest.senderGrpcCpuUsPerSpan)}`,
      `≥ ${n(INGEST_TARGET_SPANS_PER_SEC)}`,
      verdict(ingest.collectorGrpcSpansPerSec >= INGEST_TARGET_SPANS_PER_SEC),
    ]),
  );
  out(row(['collector RSS during ingest', `${ingest.rssIdleMB} → ${ingest.rssPeakMB} MB`, '—', '']));
  // Per protocol: the default configuration's rate and CPU/span next to another configuration's.
  const versus = (other) => [
    {
      protocol: 'HTTP',
      base: ingest.collectorSpansPerSec,
      baseCpu: ingest.collectorCpuUsPerSpan,
      rate: other.httpSpansPerSec,
      cpu: other.httpCpuUsPerSpan,
    },
    {
      protocol: 'gRPC',
      base: ingest.collectorGrpcSpansPerSec,
      baseCpu: ingest.collectorGrpcCpuUsPerSpan,
      rate: other.grpcSpansPerSec,
      cpu: other.grpcCpuUsPerSpan,
    },
  ];
  if (ingest.spanMetricsOff) {
    // Issue 17: RED maintenance costs at most 10 % of the ingest rate (same run, span metrics off).
    for (const p of versus(ingest.spanMetricsOff)) {
      const cost = 1 - p.base / p.rate;
      out(
        row([
          `span metrics cost, ${p.protocol}: rate on / off (CPU µs/span on / off)`,
          `${n(p.base)} / ${n(p.rate)} spans/s = ${(100 * cost).toFixed(1)} % (${p.baseCpu} / ${p.cpu} µs)`,
          `≤ ${RED_COST_BOUND * 100} %`,
          verdict(cost <= RED_COST_BOUND),
        ]),
      );
    }
  }
  if (ingest.tlsToken) {
    // Issue 16: the rate with TLS + token next to plaintext (no target: shown as a ratio).
    for (const p of versus(ingest.tlsToken)) {
      out(
        row([
          `ingest, OTLP/${p.protocol} over TLS + bearer token (vs plaintext; CPU µs/span)`,
          `${n(p.rate)} spans/s = ${x(p.rate / p.base)} of ${n(p.base)} (${p.cpu} / ${p.baseCpu} µs)`,
          '—',
          '',
        ]),
      );
    }
  }
}

/** Table rows of the indexed-query p95s, the worker-pool comparison and the regex budget. */
function renderQueryRows(out, query) {
  for (const [name, label] of [
    ['search: llm.duration_ms > 5000', '`llm.duration_ms > 5000`'],
    ['jaeger: service + tags (JSON)', 'Jaeger `/api/traces?service=&tags=`'],
  ]) {
    const r = query.results.find((q) => q.query === name);
    if (r)
      out(
        row([
          `${label}, p95 over ${n(query.spans)} spans`,
          `${r.p95ms} ms`,
          `≤ ${QUERY_P95_TARGET_MS} ms`,
          verdict(r.p95ms <= QUERY_P95_TARGET_MS),
        ]),
      );
  }
  const compared = query.results.filter((r) => r.inline);
  if (compared.length > 0) {
    const unchanged = (r) => r.p95ms <= QUERY_P95_RATIO_BOUND * r.inline.p95ms + QUERY_P95_SLACK_MS;
    out(
      row([
        `query p95 with search workers vs inline (issue 18), ${compared.length} cases`,
        `${compared.filter(unchanged).length} of ${compared.length} within; worst ${x(Math.max(...compared.map((r) => r.p95Ratio)))}`,
        `each ≤ ${QUERY_P95_RATIO_BOUND}× inline + ${QUERY_P95_SLACK_MS} ms`,
        verdict(compared.every(unchanged)),
      ]),
    );
    const regex = query.results.find((r) => r.query === 'search: regex, rare (no pruning)');
    if (regex && query.queryTimeoutMs)
      out(
        row([
          `regex, rare (no pruning) over ${n(query.spans)} spans, p95 / max with workers`,
          `${regex.p95ms} / ${regex.maxms} ms`,
          `< ${n(query.queryTimeoutMs)} ms budget`,
          verdict(regex.maxms < query.queryTimeoutMs),
        ]),
      );
  }
}

/** The Monitor and LLM pages over 1M spans (issue 17), when measured. */
function renderMonitor(out, monitor) {
  if (!monitor) return;
  out(
    `Monitor and LLM pages (issue 17: each answers within ${MONITOR_PAGE_BOUND_MS} ms over 1M spans): \`node bench/collector/monitor-query.mjs\`, the span metrics of ${n(monitor.spans)} spans over ${monitor.hours} h on a file store, 5 requests per endpoint, ${monitor.node}, ${monitor.startedAt}${monitor.forced ? ' — **not quiet** (forced)' : ''}:`,
  );
  out();
  out('| endpoint | median ms | max ms | verdict |');
  out('| --- | ---: | ---: | --- |');
  for (const [path, t] of Object.entries(monitor.results))
    out(row([`\`${path}\``, t.medianMs, t.maxMs, verdict(t.maxMs <= MONITOR_PAGE_BOUND_MS)]));
  out();
}
