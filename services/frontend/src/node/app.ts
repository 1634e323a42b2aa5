import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { installErrorHandler, serviceLogger } from '@autobot/service-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import type { PageConfig } from '../page-config.js';
import { type FrontendConfig, SERVICE_NAME } from './config.js';
import { otlpRelay } from './otlp-relay.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The frontend's server: the built page from `webDir`, `/config.json` for the page,
 * `/api/health`, and `POST /v1/traces`, the relay of the page's spans to the collector with the
 * server's own credentials (see {@link otlpRelay}). It makes no spans itself; the page's spans
 * come from the browser. Paths that leave `webDir` are refused (404). Nothing it serves holds a
 * credential: `/config.json` carries URLs and the sample rate only.
 */
export function buildFrontendApp(
  config: FrontendConfig,
  options: { logger?: boolean } = {},
): FastifyInstance {
  const app = Fastify({
    logger: serviceLogger(options.logger),
  });
  installErrorHandler(app, SERVICE_NAME);
  app.register(otlpRelay, config.relay);
  const root = normalize(config.webDir);
  const page: PageConfig = {
    serviceName: SERVICE_NAME,
    serviceVersion: config.serviceVersion,
    backendUrl: config.backendUrl,
    otlpUrl: config.otlpUrl,
    viewerUrl: config.viewerUrl,
    sampleRate: config.sampleRate,
  };

  app.get('/api/health', async (_request, reply) => {
    const built = await isFile(join(root, 'index.html'));
    return reply
      .code(built ? 200 : 503)
      .send({ status: built ? 'ok' : 'not built', service: SERVICE_NAME, webDir: root });
  });
  app.get('/config.json', async (_request, reply) => reply.header('cache-control', 'no-store').send(page));
  app.get('/*', async (request, reply) => {
    const path = decodeURIComponent((request.params as { '*': string })['*'] || 'index.html');
    const file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) return reply.code(404).send({ error: 'not found' });
    const target = (await isFile(file)) ? file : extname(path) === '' ? join(root, 'index.html') : undefined;
    if (!target) return reply.code(404).send({ error: 'not found' });
    const body = await readFile(target);
    return reply.type(TYPES[extname(target)] ?? 'application/octet-stream').send(body);
  });
  return app;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
