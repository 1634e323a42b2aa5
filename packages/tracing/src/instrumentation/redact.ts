/**
 * Keep secrets out of spans: URL credentials, secret-looking query parameters and fragments.
 * The one implementation for Node and the browser: it uses only the WHATWG URL API, and page code
 * imports it as `@autobot/tracing/redact` (a package export that pulls in nothing else).
 *
 * A query parameter is secret when its name contains one of these words (case-insensitive):
 * the common spellings of tokens, keys, passwords and signatures across APIs and cloud SDKs.
 */
const SECRET_PARAM = /(token|key|secret|password|passwd|pwd|auth|signature|sig|credential|session|code)/i;
/** What a secret is replaced with, in URLs recorded on spans and logged by the services. */
export const REDACTED = 'REDACTED';

/**
 * `url` with user:password replaced by `REDACTED:REDACTED`, secret query values by `REDACTED`,
 * and the fragment dropped (it never reaches a server, and OAuth's implicit flow and many
 * single-page apps put tokens there). Relative input stays relative; unparsable input becomes
 * `<unparsable url>`. Never throws.
 */
export function redactUrl(url: string): string {
  try {
    const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
    const parsed = new URL(url, 'http://relative.invalid');
    if (parsed.username) parsed.username = REDACTED;
    if (parsed.password) parsed.password = REDACTED;
    redactSearchParams(parsed.searchParams);
    parsed.hash = '';
    const text = parsed.href;
    return absolute ? text : text.slice('http://relative.invalid'.length);
  } catch {
    return '<unparsable url>';
  }
}

/** The query string (without `?`) with secret values redacted; empty when there is none. */
export function redactQuery(search: string): string {
  if (search === '' || search === '?') return '';
  const params = new URLSearchParams(search);
  redactSearchParams(params);
  return params.toString();
}

function redactSearchParams(params: URLSearchParams): void {
  for (const name of new Set(params.keys())) {
    if (SECRET_PARAM.test(name)) params.set(name, REDACTED);
  }
}
