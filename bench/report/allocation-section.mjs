// "Bytes allocated per request" (bench/overhead/allocation.mjs) for bench/RESULTS.md.
import { MEASURED_REQUEST, n, row, signed } from './format.mjs';

const BEFORE = ' [before]';
const OURS = '@autobot/tracing';

/** One table per Node major: bytes allocated per request per variant, and whose code allocates them. */
export function renderAllocation(out, major, result) {
  out(`### Bytes allocated per request (Node ${major}, ${result.node}; sampling heap profiler)`);
  out();
  out(
    `\`node bench/overhead/allocation.mjs '${result.variants
      .filter((v) => !v.name.endsWith(BEFORE))
      .map((v) => v.name)
      .join(
        ',',
      )}' --node <node${major}>${result.before ? ' --before <older build>' : ''}\` (${result.finishedAt}): breakdown.mjs's measured process (${MEASURED_REQUEST}) serves ${result.warmup} requests, then ${result.requests} under V8's sampling heap profiler with the objects already collected kept (one sample per ${result.samplingInterval} bytes on average), so the profile counts everything those requests allocated. Every byte allocated is work for the garbage collector; unlike time, the count does not depend on what else the machine runs.${result.before ? ` \`[before]\`: the same variant with the older build \`${result.before}\`.` : ''} "By ${OURS}" is what the library's functions allocate, with what they call in OpenTelemetry, Node.js and builtins, up to where the app or a library runs again (a hook's \`done\`).`,
  );
  out();
  const byName = new Map(result.variants.map((v) => [v.name, v]));
  out(row(['variant', 'bytes / request', 'vs none', `by ${OURS}`, `by ${OURS} vs older build`]));
  out(row(['---', '---:', '---:', '---:', '---:']));
  for (const v of result.variants) {
    const none = v.name === 'none';
    const twin = byName.get(`${v.name}${BEFORE}`);
    out(
      row([
        v.name,
        n(v.bytesPerRequest),
        none ? '—' : signed(v.deltaPerRequest),
        none ? '—' : n(v.underTracingPerRequest),
        twin ? signed(v.underTracingPerRequest - twin.underTracingPerRequest) : '',
      ]),
    );
  }
  out();
  const base = byName.get('none');
  for (const v of result.variants.filter((x) => x.name.endsWith(' all'))) {
    const owners = Object.keys({ ...base.byOwner, ...v.byOwner })
      .map((owner) => [owner, (v.byOwner[owner] ?? 0) - (base.byOwner[owner] ?? 0)])
      .sort((a, b) => b[1] - a[1]);
    out(
      `- **${v.name}**, its extra bytes per request by whose code allocates them (innermost script frame): ${owners.map(([owner, n]) => `${owner} ${signed(n)}`).join('; ')}.`,
    );
    out(
      `  ${OURS}'s largest, by its innermost function: ${v.topTracingFunctions
        .slice(0, 8)
        .map((f) => `\`${f.function.replace(/^(\S+) .*\/([^/]+:\d+)$/, '$1 $2')}\` ${n(f.bytesPerRequest)}`)
        .join('; ')}.`,
    );
  }
  out();
}
