import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { linearRegexTest } from '../query/linear-regex.js';
import { REGEXP_FUNCTION } from '../query/sql.js';
import { configureConnection, createSchema } from './schema.js';

/** Whether `path` names an in-memory database (one per connection: no second reader possible). */
export function isInMemoryPath(path: string): boolean {
  return path === ':memory:' || path === '';
}

/**
 * Registers the SQL function behind `=~` / `!~`: `autobot_regexp(pattern, value)` is 1 when the
 * whole text value matches, 0 otherwise (and for non-text values). Linear time in the value, of
 * which only the first `MAX_REGEX_SUBJECT_CHARS` characters are looked at.
 */
export function registerRegexpFunction(db: Database.Database): void {
  db.function(REGEXP_FUNCTION, { deterministic: true }, (pattern: unknown, value: unknown) => {
    if (typeof value !== 'string' || typeof pattern !== 'string') return 0;
    return linearRegexTest(pattern, value) ? 1 : 0;
  });
}

/** Opens the writing connection: creates the folder and the schema when needed. */
export function openWriteConnection(path: string): Database.Database {
  const inMemory = isInMemoryPath(path);
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  configureConnection(db, inMemory);
  createSchema(db, path);
  registerRegexpFunction(db);
  return db;
}

/**
 * Opens a read-only connection to an existing file store (WAL: it reads while the writer
 * writes). Used by search workers, each on its own thread.
 */
export function openReadConnection(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -65536');
  db.pragma('busy_timeout = 5000');
  registerRegexpFunction(db);
  return db;
}
