// "Before and after, piece by piece" (bench/overhead/pieces.mjs) for bench/RESULTS.md.
import { loadLine, row, x } from './format.mjs';

/** One table per Node major: each piece's CPU ns per operation in the older and this build. */
export function renderPieces(out, major, pieces) {
  out(`### Before and after, piece by piece (Node ${major}, ${pieces.node})`);
  out();
  out(
    `\`node bench/overhead/pieces.mjs --before <older build's packages/tracing/dist>\`: each piece of the traced request path from both builds in one process, alternating, ${pieces.passes} passes of ${pieces.ops.toLocaleString('en-US')} operations; CPU (user + system) ns per operation, median (each pass in brackets). Older build: \`${pieces.before}\`${pieces.beforeCommit ? ` (commit ${pieces.beforeCommit})` : ''}. ${loadLine(pieces)}.`,
  );
  out();
  out(row(['piece', 'before ns/op', 'after ns/op', 'after / before']));
  out(row(['---', '---:', '---:', '---:']));
  const passes = (side) => side.passes.map((v) => v.toFixed(0)).join(' ');
  for (const piece of pieces.pieces) {
    out(
      row([
        piece.what,
        `${piece.before.median.toFixed(0)} [${passes(piece.before)}]`,
        `${piece.after.median.toFixed(0)} [${passes(piece.after)}]`,
        x(piece.after.median / piece.before.median),
      ]),
    );
  }
  out();
}
