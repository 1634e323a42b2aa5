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

/**
 * What the Jaeger UI learns about its backend from `index.html`: jaeger-query search-replaces these
 * assignments when it serves the page (jaeger cmd/query/app/static_handler.go, the
 * `JAEGER_STORAGE_CAPABILITIES *= *DEFAULT_STORAGE_CAPABILITIES;` pattern; jaeger-ui index.html
 * marks the lines "Jaeger looks for that exact pattern"). The UI shows its Monitor tab only when
 * `metricsStorage` is true, and we answer the SPM API it calls. Our own viewer has no such lines,
 * so its page is sent unchanged.
 */
const STORAGE_CAPABILITIES = /JAEGER_STORAGE_CAPABILITIES *= *DEFAULT_STORAGE_CAPABILITIES;/;
const BACKEND_CAPABILITIES = /JAEGER_BACKEND_CAPABILITIES *= *DEFAULT_BACKEND_CAPABILITIES;/;

/** Options of {@link resolveStatic}. */
export interface StaticOptions {
  /** Whether the span-metrics (SPM) API is served: a Jaeger UI build then shows its Monitor tab. */
  metricsStorage: boolean;
}

function withCapabilities(html: Buffer, { metricsStorage }: StaticOptions): Buffer {
  const text = html.toString('utf8');
  if (!STORAGE_CAPABILITIES.test(text)) return html;
  const storage = JSON.stringify({ archiveStorage: false, metricsStorage });
  return Buffer.from(
    text
      .replace(STORAGE_CAPABILITIES, `JAEGER_STORAGE_CAPABILITIES = ${storage};`)
      .replace(
        BACKEND_CAPABILITIES,
        `JAEGER_BACKEND_CAPABILITIES = ${JSON.stringify({ archiveStorage: false, metricsStorage, aiAssistant: false })};`,
      ),
    'utf8',
  );
}

/** A file to send: bytes and content type. */
export interface StaticFile {
  body: Buffer;
  contentType: string;
  immutable: boolean;
}

/**
 * Resolves a URL path inside `root`: the file when it exists, otherwise `index.html` (SPA
 * fallback for client routes such as `/search`, `/trace/:id`, `/map`). Paths escaping the root
 * never resolve. Returns null when not even `index.html` exists. A Jaeger UI page gets the backend
 * capabilities filled in (see {@link StaticOptions}).
 */
export async function resolveStatic(
  root: string,
  urlPath: string,
  options: StaticOptions = { metricsStorage: false },
): Promise<StaticFile | null> {
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
        const body = await readFile(candidate);
        const html = extname(candidate).toLowerCase() === '.html';
        return {
          body: html ? withCapabilities(body, options) : body,
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
      body: withCapabilities(await readFile(join(base, 'index.html')), options),
      contentType: CONTENT_TYPES['.html'] as string,
      immutable: false,
    };
  } catch {
    return null;
  }
}
