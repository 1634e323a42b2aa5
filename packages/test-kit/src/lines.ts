// onLines lives in scripts/lib/lines.mjs: the launcher scripts need it before anything is built.
export { onLines } from '../../../scripts/lib/lines.mjs';

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
