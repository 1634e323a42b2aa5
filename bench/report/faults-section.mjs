// bench/RESULTS.md, section 5: the fault-injection runs (`npm run test:faults`), from
// bench/results/faults.json.
import { mb, n, row, verdict, x } from './format.mjs';

/** Fault injection: p99 latency with the collector faulty, at most this × the healthy p99. */
const FAULT_P99_RATIO_BOUND = 1.2;

/** Writes section 5 through `out`; nothing when `faults` is null (not run yet). */
export function renderFaults(out, faults) {
  if (!faults) return;
  out('## 5. Fault injection');
  out();
  const loadRequests = Object.entries(faults).find(([k]) => k.startsWith('outage.'))?.[1]?.healthy?.requests;
  out('`npm run test:faults` (vitest, `bench/faults/`, not part of `npm test`). Service A');
  out('(@autobot/tracing, defaults except export timeout 2 s and a 1 s report interval) calls an untraced B');
  out(
    `and Redis under load from autocannon in its own process${loadRequests ? ` (${n(loadRequests)} requests per run, warm-up included)` : ''}.`,
  );
  out();
  renderOutage(out, faults);
  renderRestart(out, faults);
  renderSigterm(out, faults);
  renderHeaderFuzz(out, faults);
  renderSecretsCanary(out, faults);
}

/** The collector down or slow under load: failed requests, p99, RSS and export counts per fault. */
function renderOutage(out, faults) {
  const outage = Object.entries(faults).filter(([k]) => k.startsWith('outage.'));
  if (!outage.length) return;
  out(
    `| protocol / fault | failed requests | p99 healthy → faulty (target ≤ ${FAULT_P99_RATIO_BOUND}×) | peak RSS healthy → faulty | exported / failed / dropped | shutdown | verdict |`,
  );
  out('| --- | ---: | --- | --- | --- | ---: | --- |');
  for (const [key, v] of outage) {
    const f = v.faulty;
    out(
      row([
        key.replace('outage.', ''),
        f.errors + f.non2xx + f.timeouts,
        `${v.healthy.p99} → ${f.p99} ms (${x(v.p99Ratio)})`,
        `${mb(v.healthy.rssPeak)} → ${mb(f.rssPeak)}`,
        `${f.stats.exported} / ${f.stats.failed} / ${f.stats.dropped}`,
        `${f.exitMs} ms`,
        verdict(f.errors + f.non2xx + f.timeouts === 0 && v.p99Ratio <= FAULT_P99_RATIO_BOUND),
      ]),
    );
  }
  out();
  out('RSS bound: the export queue is bounded (default queue and batch sizes); the fault test allows a');
  out('fixed margin over the healthy peak to absorb GC timing (see bench/faults/collector-outage.test.mjs).');
  out();
}

/** The collector killed and restarted under load: every lost span must be reported. */
function renderRestart(out, faults) {
  const restart = Object.entries(faults).filter(([k]) => k.startsWith('restart.'));
  if (!restart.length) return;
  out(
    '| collector restart (SIGKILL, 1.5 s down) | spans ended | stored at kill | stored at end | lost | reported failed + dropped |',
  );
  out('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [key, v] of restart) {
    out(
      row([
        key.replace('restart.', ''),
        v.spansEnded,
        v.storedAtKill,
        v.stored,
        v.lost,
        `${v.reported.failed} + ${v.reported.dropped}`,
      ]),
    );
  }
  out();
  // Computed from the rows: every lost span must appear in the failed + dropped counts.
  const unreported = restart.filter(([, v]) => v.lost > v.reported.failed + v.reported.dropped);
  out(
    `Every lost span reported as failed or dropped: ${verdict(unreported.length === 0)}${unreported.length ? ` (not in ${unreported.map(([k]) => k).join(', ')})` : ''}.`,
  );
  out('A batch in flight at the kill can be stored and still be reported failed (its answer never came),');
  out('so "lost" may be up to one export batch below the reported count.');
  out();
}

/** SIGTERM under load: every span ended before the signal stored, and how fast the exit. */
function renderSigterm(out, faults) {
  if (!faults.sigterm) return;
  const t = faults.sigterm.trials;
  const ok = t.filter(
    (r) => r.stored >= r.endedBeforeSignal && r.stored === r.exported && r.failed + r.dropped === 0,
  ).length;
  out(
    `SIGTERM under load, ${t.length} trials (alternating OTLP/HTTP and gRPC): ${ok}/${t.length} with every span ended`,
  );
  out(
    `before the signal stored and collector count = exported count; exit after the signal max ${Math.max(...t.map((r) => r.exitMs))} ms,`,
  );
  out(
    `median ${t.map((r) => r.exitMs).sort((a, b) => a - b)[t.length >> 1]} ms (bound ${faults.sigterm.shutdownBoundMs} ms).`,
  );
  out();
  out('| trial | protocol | responses at signal | spans ended before signal | stored | exported | exit ms |');
  out('| ---: | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [i, r] of t.entries()) {
    out(row([i, r.protocol, r.responsesAtSignal, r.endedBeforeSignal, r.stored, r.exported, r.exitMs]));
  }
  out();
}

/** Random and mutated trace headers into the real backend and a fetch app. */
function renderHeaderFuzz(out, faults) {
  if (!faults.headerFuzz) return;
  const f = faults.headerFuzz;
  out(
    `Header fuzz (\`bench/faults/header-fuzz.test.mjs\`, seed ${f.seed}): ${f.requests} chats into the real backend`,
  );
  out(
    `(POST /api/chat; its npu-worker and ai-stack calls over HTTP to a recording stub) and ${f.fetchRequests ?? 0} requests into an`,
  );
  out(
    `app calling out with plain fetch, each with random and mutated traceparent / tracestate / b3 / X-B3-* / baggage values,`,
  );
  out(
    `in ${f.seconds} s — statuses ${JSON.stringify(f.statuses)}, ${f.streamErrors ?? 0} error lines in answers, ${f.uncaught} uncaught exceptions,`,
  );
  out(
    `${f.warnings} tracing warnings, ${f.invalidPropagated} malformed trace headers among the ${f.downstreamRequests} downstream calls, ${f.exported}`,
  );
  out(`spans exported and ${f.storedSpans} stored, ${f.rejectedByCollector} rejected by the collector.`);
  if (f.storedSpans > f.exported) {
    out(
      `The ${f.storedSpans - f.exported} stored beyond the exported count are a batch the exporter retried after its first attempt had`,
    );
    out('arrived (OTLP delivery is at-least-once); the collector now shows each span of a trace once.');
  }
  out(
    'It found two bugs, both fixed in `@autobot/tracing` with unit tests: upper-case B3 ids were propagated downstream as-is',
  );
  out(
    '(an invalid `traceparent`), and an empty `tracestate` header was injected when every incoming member was invalid.',
  );
  out();
}

/** Canary secrets through the whole stack, then searched for in the store and the logs. */
function renderSecretsCanary(out, faults) {
  if (!faults.secretsCanary) return;
  const c = faults.secretsCanary;
  out(
    `Secrets canary (\`bench/faults/secrets-canary.test.mjs\`): the whole stack with ${c.canaries} canaries — URL query and`,
  );
  out(
    'credentials, Authorization / Cookie / X-Api-Key headers, the prompt (content capture off), an OpenAI API key, a Redis',
  );
  out(
    "password, the page URL loaded by the browser worker and the chat page's own URL, an SSH key path and passphrase — then",
  );
  out(
    `every stored span (${c.spansScanned}, every row and the raw database files) and ${c.logFilesScanned} service logs scanned:`,
  );
  out(
    `${c.hitsInStore} occurrences in the store, ${c.hitsInLogs} in the logs. It found three leaks, all fixed: the PKI key path in an`,
  );
  out(
    "error message, the page URL (query and fragment) in browser spans, and request URLs in the services' Fastify logs.",
  );
  out();
}
