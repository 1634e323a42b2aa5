/** One row per trace in the search results: root, duration bar, span and error counts, services. */
import type { TraceSummary } from '../../api.js';
import { serviceChip } from '../../components/chips.js';
import { h } from '../../dom.js';
import { formatDuration, formatTime } from '../../format.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The status line above the results. */
export function resultStatusText(shown: number, total: number): string {
  if (shown === 0) return 'No traces match.';
  return `${plural(shown, 'trace')}${total > shown ? ` of ${total}` : ''}`;
}

/**
 * The result rows; `isNew(id)` marks traces that appeared since the previous live refresh.
 * Bars are scaled to the longest trace shown.
 */
export function resultRows(traces: TraceSummary[], isNew: (traceId: string) => boolean): HTMLLIElement[] {
  const maxDuration = traces.reduce((m, t) => Math.max(m, t.duration), 0) || 1;
  return traces.map((t) =>
    h(
      'li',
      { class: isNew(t.traceID) ? 'result new' : 'result', dataset: { traceId: t.traceID } },
      h(
        'a',
        { href: `/trace/${encodeURIComponent(t.traceID)}`, class: 'result-link' },
        h(
          'div',
          { class: 'result-head' },
          h('span', { class: 'result-title' }, h('strong', null, t.rootService), ': ', t.rootOperation),
          h('span', { class: 'result-duration' }, formatDuration(t.duration)),
        ),
        h(
          'div',
          { class: 'duration-track', 'aria-hidden': 'true' },
          h('div', {
            class: 'duration-bar',
            style: { width: `${Math.max(0.5, (t.duration / maxDuration) * 100)}%` },
          }),
        ),
        h(
          'div',
          { class: 'result-meta' },
          h('span', { class: 'muted' }, plural(t.spanCount, 'span')),
          t.errorCount > 0 ? h('span', { class: 'badge-error' }, plural(t.errorCount, 'error')) : null,
          h('span', { class: 'chips' }, t.services.map(serviceChip)),
          h('span', { class: 'muted result-time' }, formatTime(t.startTime)),
        ),
      ),
    ),
  );
}
