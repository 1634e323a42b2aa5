/** A small inline SVG line chart of a series (null points are gaps), with an accessible label. */
import { s } from '../dom.js';

/**
 * Renders `values` as a polyline 120×28. `onPoint(i)` makes each point's column clickable (for
 * drill-through to that time bucket); `label` is read by screen readers.
 */
export function sparkline(
  values: readonly (number | null)[],
  label: string,
  options: { color?: string; onPoint?: (index: number) => void; pointTitle?: (index: number) => string } = {},
): SVGSVGElement {
  const W = 120;
  const H = 28;
  const nums = values.filter((v): v is number => v !== null);
  const max = Math.max(1e-9, ...nums);
  const step = values.length > 1 ? W / (values.length - 1) : 0;
  const segments: string[][] = [[]];
  values.forEach((v, i) => {
    if (v === null) segments.push([]);
    else
      (segments[segments.length - 1] as string[]).push(
        `${(i * step).toFixed(1)},${(H - 2 - (v / max) * (H - 4)).toFixed(1)}`,
      );
  });
  const svg = s(
    'svg',
    {
      class: 'sparkline',
      viewBox: `0 0 ${W} ${H}`,
      width: String(W),
      height: String(H),
      role: 'img',
      'aria-label': label,
    },
    segments
      .filter((seg) => seg.length > 0)
      .map((seg) =>
        seg.length === 1
          ? s('circle', {
              cx: seg[0]?.split(',')[0],
              cy: seg[0]?.split(',')[1],
              r: '1.5',
              fill: options.color ?? 'currentColor',
            })
          : s('polyline', {
              points: seg.join(' '),
              fill: 'none',
              stroke: options.color ?? 'currentColor',
              'stroke-width': '1.5',
            }),
      ),
  );
  const onPoint = options.onPoint;
  if (onPoint) {
    values.forEach((v, i) => {
      if (v === null || v === 0) return;
      const hit = s(
        'rect',
        {
          x: String(Math.max(0, i * step - step / 2)),
          y: '0',
          width: String(Math.max(step, 2)),
          height: String(H),
          class: 'spark-hit',
        },
        s('title', null, options.pointTitle?.(i) ?? ''),
      );
      hit.addEventListener('click', () => onPoint(i));
      svg.appendChild(hit);
    });
  }
  return svg;
}
