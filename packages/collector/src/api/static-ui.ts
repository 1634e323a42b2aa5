import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file to send: bytes and content type. */
export interface StaticFile {
  body: Buffer;
  contentType: string;
  immutable: boolean;
}

/**
 * Resolves a URL path inside `root`: the file when it exists, otherwise `index.html` (SPA
 * fallback for client routes such as `/search`, `/trace/:id`, `/map`). Paths escaping the root
 * never resolve. Returns null when not even `index.html` exists.
 */
export async function resolveStatic(root: string, urlPath: string): Promise<StaticFile | null> {
  const base = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    decoded = '/';
  }
  const candidate = resolve(base, `.${normalize(`/${decoded}`)}`);
  if (candidate === base || candidate.startsWith(base + sep)) {
    try {
      const info = await stat(candidate);
      if (info.isFile()) {
        return {
          body: await readFile(candidate),
          contentType: CONTENT_TYPES[extname(candidate).toLowerCase()] ?? 'application/octet-stream',
          immutable: /[.-][0-9a-zA-Z_-]{8,}\.(js|css|woff2)$/.test(candidate),
        };
      }
    } catch {
      // fall through to the SPA entry point
    }
  }
  try {
    return {
      body: await readFile(join(base, 'index.html')),
      contentType: CONTENT_TYPES['.html'] as string,
      immutable: false,
    };
  } catch {
    return null;
  }
}
