/**
 * Calls `onLine` with each complete line of `stream` (split on `\n`, the newline removed). A last
 * line without its newline is held back until the newline arrives, so JSON lines split across
 * chunks arrive whole; a line never terminated is not delivered.
 */
export function onLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = '';
  stream.on('data', (chunk: Buffer | string) => {
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

/** The JSON value of `text`, or `text` itself when it is not JSON (e.g. a plain log line). */
export function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The non-blank lines of a complete NDJSON body, each parsed (throws on a line that is not JSON). */
export function parseNdjson(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
