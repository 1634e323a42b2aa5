// Splitting a child's output into lines: the one implementation, shared by the launcher scripts
// (which run before the build, so they cannot import a built package) and @autobot/test-kit
// (which imports this file through lines.d.mts).

/**
 * Calls `onLine` with each complete line of `stream` (split on `\n`, the newline removed). A last
 * line without its newline is held back until the newline arrives, so JSON lines split across
 * chunks arrive whole; a line never terminated is not delivered.
 */
export function onLines(stream, onLine) {
  let buffer = '';
  stream.on('data', (chunk) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      onLine(line);
    }
  });
}
