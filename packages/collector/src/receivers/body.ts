import type { IncomingMessage } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import { InvalidPayloadError, PayloadTooLargeError } from '../errors.js';

/** Reads a request body, failing with `PayloadTooLargeError` as soon as it passes `maxBytes`. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(
        new PayloadTooLargeError(`request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        reject(new PayloadTooLargeError(`request body exceeds the limit of ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.on('error', (error) => {
      if (done) return;
      done = true;
      reject(new InvalidPayloadError(`request body could not be read: ${error.message}`, { cause: error }));
    });
  });
}

/**
 * Undoes `Content-Encoding` (gzip, deflate, identity). The decompressed size is capped at
 * `maxBytes` so a gzip bomb fails fast with `PayloadTooLargeError` instead of filling memory.
 */
export function decompress(body: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  if (enc !== 'gzip' && enc !== 'x-gzip' && enc !== 'deflate') {
    throw new InvalidPayloadError(`unsupported Content-Encoding "${enc}" (use gzip, deflate or identity)`);
  }
  try {
    return enc === 'deflate'
      ? inflateSync(body, { maxOutputLength: maxBytes })
      : gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new PayloadTooLargeError(`decompressed body exceeds the limit of ${maxBytes} bytes`);
    }
    throw new InvalidPayloadError(`body is not valid ${enc} data: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
