import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessControl } from '../auth/access.js';
import { readCookie, SESSION_COOKIE, type SessionStore } from '../auth/sessions.js';
import { bearerToken } from '../auth/tokens.js';
import { COLLECTOR_ERRORS, type CollectorErrorCode } from '../error-codes.js';
import { jaegerError } from './responses.js';

/** Options of {@link registerReadAccess}. */
export interface ReadAccessOptions {
  access: AccessControl;
  sessions: SessionStore;
  /** The query port serves HTTPS: the cookie gets `Secure`. */
  secure: boolean;
}

/** Paths anyone may fetch: liveness checks and the sign-in page itself. */
const PUBLIC_PATHS = new Set(['/health', '/api/health', '/login', '/logout']);

const FORM_LIMIT_BYTES = 4096;

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // No script at all: the page is a plain form posting to its own origin.
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

function signInPage(message: string | undefined): string {
  const note = message === undefined ? '' : `<p class="err" role="alert">${message}</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · AutoBot traces</title>
<style>body{font:15px system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;margin:0;background:#f6f7f9}
form{background:#fff;padding:2em;border-radius:8px;box-shadow:0 1px 4px #0002;min-width:20em}
h1{font-size:1.2em;margin:0 0 1em}label{display:block;margin-bottom:.4em}input{width:100%;box-sizing:border-box;padding:.5em;font:inherit}
button{margin-top:1em;padding:.5em 1.2em;font:inherit}.err{color:#b00020}</style></head>
<body><form method="post" action="/login" autocomplete="off">
<h1>AutoBot traces</h1>${note}
<label for="token">Read token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form></body></html>
`;
}

function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

function deny(request: FastifyRequest, reply: FastifyReply, reason: string) {
  const path = request.url.split('?')[0] ?? '/';
  // A browser asking for a page is sent to the sign-in page; API clients get 401 with the reason.
  const wantsPage =
    request.method === 'GET' && !path.startsWith('/api/') && path !== '/status' && path !== '/metrics';
  if (wantsPage) return reply.code(303).header('location', '/login').send();
  const errorCode: CollectorErrorCode = 'AUTOBOT_ERR_COLLECTOR_UNAUTHENTICATED';
  const status = COLLECTOR_ERRORS[errorCode].status;
  reply.header('www-authenticate', 'Bearer realm="autobot-trace"');
  if (path.startsWith('/api/v3/'))
    return reply.code(status).send({ error: { httpCode: status, message: reason, errorCode } });
  return jaegerError(reply, status, reason, { errorCode });
}

/**
 * Read access on the query port: every route but `/health` and the sign-in page needs the read
 * token, as `authorization: Bearer …` (API clients, Grafana) or as a viewer session. `GET /login`
 * shows a form; `POST /login` trades the token (form body, never a URL) for a random session id in
 * an HttpOnly, SameSite=Strict cookie (`Secure` over HTTPS), and redirects to the viewer.
 * `POST /logout` ends the session. With no read token configured, nothing is checked.
 */
export function registerReadAccess(app: FastifyInstance, options: ReadAccessOptions): void {
  const { access, sessions, secure } = options;
  if (!access.readProtected) return;

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
    (_request, body, done) => done(null, new URLSearchParams(body as string)),
  );

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (PUBLIC_PATHS.has(path)) return;
    const session = readCookie(request.headers.cookie, SESSION_COOKIE);
    const result = access.checkRead(bearerToken(request.headers.authorization), sessions.valid(session));
    if (!result.ok) return deny(request, reply, result.reason);
  });

  app.get('/login', async (_request, reply) => reply.headers(PAGE_HEADERS).send(signInPage(undefined)));
  app.post('/login', async (request, reply) => {
    const form = request.body instanceof URLSearchParams ? request.body : undefined;
    const token = form?.get('token') ?? undefined;
    if (!access.isReadToken(token)) {
      return reply.code(401).headers(PAGE_HEADERS).send(signInPage('That token is not valid.'));
    }
    const id = sessions.create();
    return reply
      .code(303)
      .header('set-cookie', sessionCookie(id, Math.floor(sessions.ttlMs / 1000), secure))
      .header('cache-control', 'no-store')
      .header('location', '/')
      .send();
  });
  app.post('/logout', async (request, reply) => {
    sessions.revoke(readCookie(request.headers.cookie, SESSION_COOKIE));
    return reply
      .code(303)
      .header('set-cookie', sessionCookie('', 0, secure))
      .header('location', '/login')
      .send();
  });
}
