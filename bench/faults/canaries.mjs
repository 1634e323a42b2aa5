// The canaries of the secrets-canary run and the scans that look for them: every row of the
// collector's SQLite store, raw file bytes, the Jaeger API, log files. A hit carries where it was
// found and some context, for the report.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { expect } from 'vitest';

/** One distinct, greppable value per place a secret is put. */
const canary = (where) => `cnry${where}${randomBytes(6).toString('hex')}`;
export const C = {
  queryToken: canary('qtok'),
  queryApiKey: canary('qkey'),
  urlUser: canary('uusr'),
  urlPassword: canary('upwd'),
  bearer: canary('bear'),
  cookie: canary('cook'),
  apiKeyHeader: canary('xkey'),
  prompt: canary('prmt'),
  openaiKey: `sk-${canary('oaik')}`,
  redisPassword: canary('rdpw'),
  pageToken: canary('ptok'),
  pageUser: canary('pusr'),
  pagePassword: canary('ppwd'),
  sshKeyDir: canary('kdir'),
  sshPassphrase: canary('kpas'),
  sshMissingDir: canary('kmis'),
  sshWrongPassphrase: canary('kwrg'),
  frontendToken: canary('ftok'),
  frontendHash: canary('fhsh'),
  frontendPrompt: canary('fprm'),
};
// Basic auth reaches the server base64-encoded: look for that form too.
export const SCANNED = {
  ...C,
  basicAuth: Buffer.from(`${C.urlUser}:${C.urlPassword}`).toString('base64'),
};
/** Non-secret markers placed beside canaries: these must be stored, or the scan proves nothing. */
export const VISIBLE = { query: canary('visq'), page: canary('visp'), frontend: canary('visf') };

/** Every trace of every service, through the collector's Jaeger API. */
export async function allTraces(viewer) {
  const services = (await (await fetch(`${viewer}/api/services`)).json()).data ?? [];
  const traces = [];
  for (const service of services) {
    const res = await fetch(`${viewer}/api/traces?service=${encodeURIComponent(service)}&limit=1000`);
    traces.push(...((await res.json()).data ?? []));
  }
  return traces;
}

/** Flattened spans of `allTraces`, each with its service name as `process`. */
export async function allSpans(viewer) {
  return (await allTraces(viewer)).flatMap((t) =>
    t.spans.map((s) => ({ ...s, process: t.processes[s.processID]?.serviceName })),
  );
}

export const tagOf = (span, key) => span.tags.find((t) => t.key === key)?.value;

/** Every value of every row of every table of the collector's store, checked for every canary. */
export function scanDatabase(path, values = SCANNED) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const hits = [];
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['spans', 'resources', 'scopes', 'ops', 'services']));
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM "${table}"`).iterate()) {
        for (const [column, value] of Object.entries(row)) {
          const text = Buffer.isBuffer(value) ? value.toString('latin1') : String(value ?? '');
          for (const hit of hitsIn(`${table}.${column}`, text, Object.keys(values), values)) hits.push(hit);
        }
      }
    }
  } finally {
    db.close();
  }
  return hits;
}

/** {@link hitsIn} over the raw bytes (latin1) of each file. */
export function scanFiles(paths, names) {
  return paths.flatMap((p) => hitsIn(p, readFileSync(p).toString('latin1'), names));
}

/** Occurrences of the named canaries in `text`, with some context for the report. */
export function hitsIn(where, text, names, values = SCANNED) {
  const hits = [];
  for (const name of names) {
    const value = values[name];
    let at = text.indexOf(value);
    while (at !== -1) {
      hits.push({ canary: name, where, context: text.slice(Math.max(0, at - 80), at + value.length + 40) });
      at = text.indexOf(value, at + 1);
    }
  }
  return hits;
}

/** Polls `check` every 300 ms until it resolves truthy; rejects after `timeoutMs`. */
export async function waitFor(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`condition not met in ${timeoutMs} ms`);
}
