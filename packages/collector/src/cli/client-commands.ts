import type { JaegerSpan, JaegerTrace } from '../api/jaeger-types.js';
import { CollectorUnreachableError } from '../errors.js';
import type { TraceSummary } from '../model.js';
import { formatDurationUs, parseAgeMs } from './sizes.js';

/** Where the query API is and the read token to send (never printed). */
export interface ApiClient {
  url: string;
  token?: string;
}

/** Output sink, so tests can capture what a command prints. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

async function getJson(
  client: ApiClient,
  path: string,
  io?: Output,
): Promise<{ status: number; body: unknown }> {
  const url = `${client.url}${path}`;
  // A slow query (a regex over millions of spans) shows it is still working, once a second, on stderr.
  const started = Date.now();
  const progress = io
    ? setInterval(() => io.err(`  still searching… ${Math.round((Date.now() - started) / 1000)} s`), 1000)
    : undefined;
  try {
    let res: Response;
    try {
      res = await fetch(url, {
        signal: AbortSignal.timeout(30_000),
        headers: client.token === undefined ? {} : { authorization: `Bearer ${client.token}` },
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ? `${cause.code}: ${cause.message}` : (error as Error).message;
      throw new CollectorUnreachableError(`cannot reach the collector at ${new URL(url).origin}: ${detail}`, {
        cause: error,
      });
    }
    if (res.status === 401) {
      await res.body?.cancel();
      return {
        status: 401,
        body: {
          errors: [
            {
              msg: `the collector requires a read token (HTTP 401): ${
                client.token === undefined
                  ? `pass --token-file <file> or set ${'AUTOBOT_TRACE_READ_TOKEN_FILE'}`
                  : 'the token given was refused'
              }`,
            },
          ],
        },
      };
    }
    return parseBody(res.status, await res.text());
  } finally {
    clearInterval(progress);
  }
}

function parseBody(status: number, text: string): { status: number; body: unknown } {
  try {
    return { status, body: JSON.parse(text) as unknown };
  } catch {
    return { status, body: { errors: [{ msg: text.slice(0, 200) }] } };
  }
}

function apiError(body: unknown): string {
  const errors = (body as { errors?: { msg?: string; column?: number; expected?: string }[] })?.errors;
  const first = errors?.[0];
  if (!first) return 'unknown error';
  // The collector's message already names the column and what was expected: say it once.
  return `${first.msg}`;
}

/** Edit distance, for "did you mean" on service names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * Known services close to `name`: containing it or contained in it (`backend` → `autobot-backend`),
 * or within a few edits. Empty when `name` is itself known.
 */
export function closeServiceNames(name: string, known: readonly string[]): string[] {
  if (known.includes(name)) return [];
  const lower = name.toLowerCase();
  return known.filter((k) => {
    const kl = k.toLowerCase();
    return (
      kl.includes(lower) || lower.includes(kl) || editDistance(kl, lower) <= Math.max(2, lower.length / 4)
    );
  });
}

/** Service names an expression compares with `service =` (quoted or not). */
function comparedServices(expr: string): string[] {
  return [...expr.matchAll(/\bservice\s*={1,2}\s*(?:"([^"]*)"|'([^']*)'|([^\s()]+))/g)].map(
    (m) => (m[1] ?? m[2] ?? m[3]) as string,
  );
}

/** `autobot-trace query '<expr>'`: prints matching traces as a table or JSON. Returns the exit code. */
export async function runQuery(
  client: ApiClient,
  expr: string,
  flags: { json: boolean; limit?: string; since?: string },
  io: Output,
): Promise<number> {
  const params = new URLSearchParams({ q: expr, limit: flags.limit ?? '20' });
  if (flags.since !== undefined) {
    const ms = parseAgeMs(flags.since);
    if (ms === undefined) {
      io.err(`--since must be a duration like 15m, 2h or 7d, got "${flags.since}"`);
      return 2;
    }
    params.set('start', String((Date.now() - ms) * 1000));
  }
  const { status, body } = await getJson(client, `/api/search?${params}`, io);
  if (status !== 200) {
    io.err(`query failed: ${apiError(body)}`);
    if (status === 400)
      io.err(
        `  ${expr}\n  ${' '.repeat(Math.max(0, ((body as { errors?: { column?: number }[] }).errors?.[0]?.column ?? 1) - 1))}^`,
      );
    return status === 400 ? 2 : 1;
  }
  const data = (body as { data: TraceSummary[] }).data;
  if (flags.json) {
    io.out(JSON.stringify(body, null, 2));
    return 0;
  }
  if (data.length === 0) {
    io.out('no matching traces');
    const named = comparedServices(expr);
    if (named.length > 0) {
      const services = await getJson(client, '/api/services').then(
        (r) => (r.status === 200 ? (r.body as { data: string[] }).data : []),
        () => [] as string[],
      );
      for (const name of named) {
        const close = closeServiceNames(name, services);
        if (close.length > 0)
          io.err(`no service is named "${name}"; did you mean ${close.map((c) => `"${c}"`).join(' or ')}?`);
        else if (!services.includes(name) && services.length > 0)
          io.err(`no service is named "${name}"; known services: ${services.join(', ')}`);
      }
    }
    return 0;
  }
  const rows = data.map((t) => [
    t.traceID,
    new Date(t.startTime / 1000).toISOString().replace('T', ' ').slice(0, 23),
    formatDurationUs(t.duration),
    String(t.spanCount),
    t.errorCount > 0 ? `${t.errorCount} ✗` : '0',
    `${t.rootService}: ${t.rootOperation}`,
    t.services.join(','),
  ]);
  const header = ['TRACE ID', 'START (UTC)', 'DURATION', 'SPANS', 'ERRORS', 'ROOT', 'SERVICES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  io.out(line(header));
  for (const r of rows) io.out(line(r));
  io.out(`${data.length} trace(s)`);
  return 0;
}

/**
 * Sibling order, the same as the viewer's waterfall (packages/viewer/src/model.ts): start time (µs),
 * then operation name, so spans that start in the same microsecond list the same way in both.
 */
function bySiblingOrder(a: JaegerSpan, b: JaegerSpan): number {
  return a.startTime - b.startTime || a.operationName.localeCompare(b.operationName);
}

/** Renders a trace as an indented tree: duration, service, operation, errors marked. */
export function renderTraceTree(trace: JaegerTrace): string[] {
  const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
  const children = new Map<string, JaegerSpan[]>();
  const roots: JaegerSpan[] = [];
  for (const s of trace.spans) {
    const parent = s.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
    if (parent !== undefined && byId.has(parent)) {
      const list = children.get(parent) ?? [];
      list.push(s);
      children.set(parent, list);
    } else {
      roots.push(s);
    }
  }
  const traceStart = Math.min(...trace.spans.map((s) => s.startTime));
  const lines: string[] = [];
  const walk = (s: JaegerSpan, prefix: string, last: boolean, top: boolean) => {
    const service = trace.processes[s.processID]?.serviceName ?? '?';
    const error = s.tags.some((t) => t.key === 'error' && t.value === true);
    const message = s.tags.find((t) => t.key === 'otel.status_description')?.value;
    const branch = top ? '' : last ? '└─ ' : '├─ ';
    const offset = formatDurationUs(s.startTime - traceStart);
    // Spans that differ only by attributes (one per VM) need the attribute that tells them apart.
    const vm = s.tags.find((t) => t.key === 'ssh.target_vm')?.value;
    const name = vm === undefined ? s.operationName : `${s.operationName} vm=${String(vm)}`;
    lines.push(
      `${prefix}${branch}${name} [${service}] ${formatDurationUs(s.duration)} (+${offset})${error ? ` ✗ ERROR${message ? `: ${message}` : ''}` : ''}`,
    );
    const kids = (children.get(s.spanID) ?? []).sort(bySiblingOrder);
    for (const [i, k] of kids.entries()) {
      walk(k, top ? prefix : prefix + (last ? '   ' : '│  '), i === kids.length - 1, false);
    }
  };
  roots.sort(bySiblingOrder);
  for (const [i, r] of roots.entries()) walk(r, '', i === roots.length - 1, true);
  return lines;
}

/** `autobot-trace show <traceId>`. */
export async function runShow(
  client: ApiClient,
  traceId: string,
  flags: { json: boolean },
  io: Output,
): Promise<number> {
  const { status, body } = await getJson(client, `/api/traces/${encodeURIComponent(traceId)}`);
  if (status !== 200) {
    io.err(`show failed: ${apiError(body)}`);
    return status === 404 ? 3 : 1;
  }
  const trace = (body as { data: JaegerTrace[] }).data[0] as JaegerTrace;
  if (flags.json) {
    io.out(JSON.stringify(trace, null, 2));
    return 0;
  }
  const services = new Set(Object.values(trace.processes).map((p) => p.serviceName));
  const errors = trace.spans.filter((s) => s.tags.some((t) => t.key === 'error' && t.value === true)).length;
  io.out(
    `trace ${trace.traceID}: ${trace.spans.length} span(s), ${services.size} service(s), ${errors} error(s)`,
  );
  for (const line of renderTraceTree(trace)) io.out(line);
  return 0;
}

/** `autobot-trace services`. */
export async function runServices(client: ApiClient, flags: { json: boolean }, io: Output): Promise<number> {
  const { status, body } = await getJson(client, '/api/services');
  if (status !== 200) {
    io.err(`services failed: ${apiError(body)}`);
    return 1;
  }
  const services = (body as { data: string[] }).data;
  if (flags.json) io.out(JSON.stringify(services));
  else if (services.length === 0) io.out('no services yet');
  else for (const s of services) io.out(s);
  return 0;
}
