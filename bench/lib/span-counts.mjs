// Count stored spans per service in a collector's SQLite file (read-only, beside the running
// collector: WAL lets a reader in). Used by the harness to check every span arrived.
import Database from 'better-sqlite3';

/** Map service name → stored span count. */
export function spanCountsByService(dbPath) {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        'SELECT s.name AS name, count(*) AS n FROM spans JOIN services s ON s.id = spans.svc_id GROUP BY s.name',
      )
      .all();
    return Object.fromEntries(rows.map((r) => [r.name, r.n]));
  } finally {
    db.close();
  }
}
