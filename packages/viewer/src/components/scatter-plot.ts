/** Scatter plot of trace duration over start time; a dot click opens the trace. */
import type { TraceSummary } from '../api.js';
import { serviceColor } from '../colors.js';
import { s } from '../dom.js';
import { formatClock, formatDuration } from '../format.js';

const W = 1000;
const H = 180;
const PAD = { left: 64, right: 12, top: 10, bottom: 26 };

/** Draws the plot. `onOpen` receives the trace id of a clicked dot. */
export function scatterPlot(
  traces: readonly TraceSummary[],
  onOpen: (traceId: string) => void,
): SVGSVGElement {
  const svg = s('svg', {
    class: 'scatter',
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': `Duration over time of ${traces.length} traces`,
  });
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  let dMax = 0;
  for (const t of traces) {
    t0 = Math.min(t0, t.startTime);
    t1 = Math.max(t1, t.startTime);
    dMax = Math.max(dMax, t.duration);
  }
  if (traces.length === 0) {
    t0 = 0;
    t1 = 1;
  }
  if (t1 === t0) {
    t0 -= 500_000;
    t1 += 500_000;
  }
  dMax = dMax || 1;
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * plotW;
  const y = (d: number) => PAD.top + plotH - (d / dMax) * plotH;

  svg.append(
    s('line', { class: 'axis', x1: PAD.left, y1: PAD.top + plotH, x2: W - PAD.right, y2: PAD.top + plotH }),
    s('line', { class: 'axis', x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: PAD.top + plotH }),
  );
  for (const frac of [0, 0.5, 1]) {
    const d = dMax * frac;
    svg.append(
      s('text', { class: 'tick', x: PAD.left - 6, y: y(d) + 4, 'text-anchor': 'end' }, formatDuration(d)),
    );
  }
  if (traces.length > 0) {
    for (const frac of [0, 0.5, 1]) {
      const t = t0 + (t1 - t0) * frac;
      const anchor = frac === 0 ? 'start' : frac === 1 ? 'end' : 'middle';
      svg.append(s('text', { class: 'tick', x: x(t), y: H - 8, 'text-anchor': anchor }, formatClock(t)));
    }
  }
  for (const t of traces) {
    const dot = s(
      'circle',
      {
        class: t.errorCount > 0 ? 'dot dot-error' : 'dot',
        cx: x(t.startTime),
        cy: y(t.duration),
        r: 5,
        fill: serviceColor(t.rootService),
        dataset: { traceId: t.traceID },
        onclick: () => onOpen(t.traceID),
      },
      s('title', null, `${t.rootService}: ${t.rootOperation} — ${formatDuration(t.duration)}`),
    );
    svg.append(dot);
  }
  return svg;
}
