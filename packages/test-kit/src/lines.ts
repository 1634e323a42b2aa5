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

/**
 * Every line of a complete NDJSON body, parsed. One trailing newline ends the last line; any
 * other empty line, or a line that is not JSON, throws (a stream that writes them is broken).
 * `T` is what the caller expects each line to be; it is not checked.
 */
export function parseNdjson<T = Record<string, unknown>>(text: string): T[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, index) => {
    try {
      return JSON.parse(line) as T;
    } catch {
      throw new SyntaxError(`NDJSON line ${index + 1} is not JSON: ${JSON.stringify(line.slice(0, 200))}`);
    }
  });
}
