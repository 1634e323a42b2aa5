// "CPU per request, piece by piece" (bench/overhead/breakdown.mjs) for bench/RESULTS.md.
import { loadLine, MEASURED_REQUEST, row } from './format.mjs';

const BEFORE = ' [before]';
const us = (v) => v.toFixed(1);
const signedUs = (v) => (v >= 0 ? `+${us(v)}` : `−${us(-v)}`);

/** One table per Node major: timed CPU per request per variant, and the older build's beside it. */
export function renderBreakdown(out, major, result) {
  out(`### CPU per request, piece by piece (Node ${major}, ${result.node}; timed)`);
  out();
  const names = result.variants.filter((v) => !v.name.endsWith(BEFORE)).map((v) => v.name);
  out(
    `\`node bench/overhead/breakdown.mjs ${result.requests} ${result.passes} '${names.join(',')}'${result.before ? ' --before <older build>' : ''} --node <node${major}>\` (${result.finishedAt}; ${loadLine(result)}): one process per variant and pass serves ${result.requests} requests (${MEASURED_REQUEST}) and reports its own CPU time (user + system) per request; the ${result.passes} passes interleave the variants, and each figure is the median pass.${result.before ? ` "Before" is the same variant with the older build \`${result.before}\`.` : ''} Unlike the counts below, this is time: a pass can differ from the next by as much as the range column shows, so a difference smaller than that range is not resolved.`,
  );
  out();
  const byName = new Map(result.variants.map((v) => [v.name, v]));
  const hasBefore = result.variants.some((v) => v.name.endsWith(BEFORE));
  out(
    row([
      'variant',
      'CPU µs / request',
      'vs none',
      'passes (min–max)',
      ...(hasBefore ? ['before: vs none', 'after − before'] : []),
    ]),
  );
  out(row(['---', '---:', '---:', '---:', ...(hasBefore ? ['---:', '---:'] : [])]));
  for (const name of names) {
    const v = byName.get(name);
    const twin = byName.get(`${name}${BEFORE}`);
    const none = name === 'none';
    out(
      row([
        name,
        us(v.cpuUsPerRequest),
        none ? '—' : signedUs(v.deltaPerRequest),
        `${Math.min(...v.passes).toFixed(0)}–${Math.max(...v.passes).toFixed(0)}`,
        ...(hasBefore
          ? [
              twin ? signedUs(twin.deltaPerRequest) : '',
              twin ? signedUs(v.cpuUsPerRequest - twin.cpuUsPerRequest) : '',
            ]
          : []),
      ]),
    );
  }
  out();
  const lost = result.variants.filter((v) => v.lost.length > 0);
  out(
    lost.length === 0
      ? 'No variant dropped or failed a span in any pass.'
      : `Spans lost: ${lost.map((v) => `${v.name} ${v.lost.map((l) => `pass ${l.pass + 1} dropped ${l.dropped}, failed ${l.failed}`).join('; ')}`).join(' · ')}.`,
  );
  out();
}
