import type { TargetResult } from '../distributor.js';

/** Renders per-VM results as a fixed-width text table (one header line, one line per VM). */
export function formatResultTable(results: readonly TargetResult[]): string {
  const rows = [
    ['VM', 'ADDRESS', 'USER', 'STATUS', 'FILES', 'MS', 'ERROR'],
    ...results.map((r) => [
      r.vm,
      `${r.address}:${r.port}`,
      r.user,
      r.status,
      String(r.filesCopied),
      String(Math.round(r.durationMs)),
      r.errorType ? `${r.errorType}: ${r.message ?? ''}` : r.reloaded ? 'reloaded' : '',
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
