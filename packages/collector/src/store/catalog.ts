import type Database from 'better-sqlite3';
import { parseExact, STORED_JSON, stringifyExact } from '../json-exact.js';
import { type Attributes, DROPPED_TAG, type ResourceInfo, SCHEMA_URL_TAG, type ScopeInfo } from '../model.js';

/** An operation: service id, span name, span kind. */
export interface OpInfo {
  svcId: number;
  name: string;
  kind: number;
}

/** A stored resource. */
export interface ResourceRow {
  svcId: number;
  attributes: Attributes;
  schemaUrl: string;
  droppedAttributesCount?: number;
}

/*
 * Resources and scopes are interned by their attribute JSON (UNIQUE in schema 1). The schema URL
 * and dropped-attribute count are part of their identity, so they ride in that JSON under
 * SCHEMA_URL_TAG and DROPPED_TAG, keys no attribute can have (they start with a lone surrogate):
 * no table change, and old rows simply have none.
 */
function withMeta(
  attributes: Attributes,
  meta: { schemaUrl?: string; droppedAttributesCount?: number },
): string {
  if (!meta.schemaUrl && !meta.droppedAttributesCount) return stringifyExact(attributes);
  const out: Attributes = { ...attributes };
  if (meta.schemaUrl) out[SCHEMA_URL_TAG] = meta.schemaUrl;
  if (meta.droppedAttributesCount) out[DROPPED_TAG] = meta.droppedAttributesCount;
  return stringifyExact(out);
}

function splitMeta(json: string): {
  attributes: Attributes;
  schemaUrl: string;
  droppedAttributesCount?: number;
} {
  const attributes = parseExact(json, STORED_JSON) as Attributes;
  const schemaUrl = attributes[SCHEMA_URL_TAG];
  const dropped = attributes[DROPPED_TAG];
  delete attributes[SCHEMA_URL_TAG];
  delete attributes[DROPPED_TAG];
  return {
    attributes,
    schemaUrl: typeof schemaUrl === 'string' ? schemaUrl : '',
    ...(typeof dropped === 'number' ? { droppedAttributesCount: dropped } : {}),
  };
}

function prepareInserts(db: Database.Database) {
  return {
    service: db.prepare('INSERT INTO services (name) VALUES (?)'),
    op: db.prepare('INSERT INTO ops (svc_id, name, kind) VALUES (?,?,?)'),
    resource: db.prepare('INSERT INTO resources (svc_id, attrs) VALUES (?,?)'),
    scope: db.prepare('INSERT INTO scopes (name, version, attrs) VALUES (?,?,?)'),
  };
}

function prepareLoads(db: Database.Database) {
  return {
    services: db.prepare('SELECT id, name FROM services WHERE id > ?'),
    ops: db.prepare('SELECT id, svc_id, name, kind FROM ops WHERE id > ?'),
    resources: db.prepare('SELECT id, svc_id, attrs FROM resources WHERE id > ?'),
    scopes: db.prepare('SELECT id, name, version, attrs FROM scopes WHERE id > ?'),
  };
}

/**
 * Interned services, operations, resources and scopes, mirrored in memory: ingest resolves ids
 * without a query once a name has been seen, and reads resolve names without a join.
 */
export class Catalog {
  readonly serviceIds = new Map<string, number>();
  readonly serviceNames = new Map<number, string>();
  /**
   * Operation ids by service and kind (`svcId * 8 + kind`), then name: span names arrive as the
   * decoder's interned strings, whose hash is cached, so a lookup builds no key string.
   */
  private readonly opIds = new Map<number, Map<string, number>>();
  readonly ops = new Map<number, OpInfo>();
  readonly resourceIds = new Map<string, number>();
  readonly resources = new Map<number, ResourceRow>();
  readonly scopeIds = new Map<string, number>();
  readonly scopes = new Map<number, ScopeInfo>();
  /** Highest id loaded per table. */
  private readonly loaded = { services: 0, ops: 0, resources: 0, scopes: 0 };
  // Prepared on first insert: a read-only connection never inserts.
  private inserts: ReturnType<typeof prepareInserts> | undefined;
  // Prepared once: a search worker loads what is new before every search.
  private readonly loads: ReturnType<typeof prepareLoads>;

  constructor(private readonly db: Database.Database) {
    this.loads = prepareLoads(db);
    this.load();
  }

  private get insert(): ReturnType<typeof prepareInserts> {
    this.inserts ??= prepareInserts(this.db);
    return this.inserts;
  }

  /**
   * Loads the interned rows not loaded yet (ids only grow and rows are never updated, so a reader
   * on its own connection catches up by calling this again).
   */
  load(): void {
    this.loadNew<{ id: number; name: string }>('services', (r) => {
      this.serviceIds.set(r.name, r.id);
      this.serviceNames.set(r.id, r.name);
    });
    this.loadNew<{ id: number; svc_id: number; name: string; kind: number }>('ops', (r) => {
      this.opNames(r.svc_id, r.kind).set(r.name, r.id);
      this.ops.set(r.id, { svcId: r.svc_id, name: r.name, kind: r.kind });
    });
    this.loadNew<{ id: number; svc_id: number; attrs: string }>('resources', (r) => {
      this.resourceIds.set(r.attrs, r.id);
      this.resources.set(r.id, { svcId: r.svc_id, ...splitMeta(r.attrs) });
    });
    this.loadNew<{ id: number; name: string; version: string; attrs: string }>('scopes', (r) => {
      this.scopeIds.set(`${r.name}\u0000${r.version}\u0000${r.attrs}`, r.id);
      this.scopes.set(r.id, { name: r.name, version: r.version, ...splitMeta(r.attrs) });
    });
  }

  /** Applies every row of `table` above the highest id loaded so far, then moves that mark. */
  private loadNew<R extends { id: number }>(table: keyof Catalog['loaded'], apply: (row: R) => void): void {
    for (const r of this.loads[table].all(this.loaded[table]) as R[]) {
      apply(r);
      this.loaded[table] = Math.max(this.loaded[table], r.id);
    }
  }

  /** Id of a service name, inserted when new. */
  serviceId(name: string): number {
    let id = this.serviceIds.get(name);
    if (id === undefined) {
      id = Number(this.insert.service.run(name).lastInsertRowid);
      this.serviceIds.set(name, id);
      this.serviceNames.set(id, name);
    }
    return id;
  }

  /** Id of an operation (service, name, kind), inserted when new. */
  opId(svcId: number, name: string, kind: number): number {
    const names = this.opNames(svcId, kind);
    let id = names.get(name);
    if (id === undefined) {
      id = Number(this.insert.op.run(svcId, name, kind).lastInsertRowid);
      names.set(name, id);
      this.ops.set(id, { svcId, name, kind });
    }
    return id;
  }

  /** The operation ids of one service and span kind (0–5), by name. */
  private opNames(svcId: number, kind: number): Map<string, number> {
    const key = svcId * 8 + kind;
    let names = this.opIds.get(key);
    if (names === undefined) {
      names = new Map();
      this.opIds.set(key, names);
    }
    return names;
  }

  /** Id of a resource (by its attributes, schema URL and dropped count), inserted when new. */
  resourceId(svcId: number, resource: ResourceInfo): number {
    const json = withMeta(resource.attributes, resource);
    let id = this.resourceIds.get(json);
    if (id === undefined) {
      id = Number(this.insert.resource.run(svcId, json).lastInsertRowid);
      this.resourceIds.set(json, id);
      const { attributes, schemaUrl = '', droppedAttributesCount } = resource;
      this.resources.set(id, {
        svcId,
        attributes,
        schemaUrl,
        ...(droppedAttributesCount ? { droppedAttributesCount } : {}),
      });
    }
    return id;
  }

  /** Id of an instrumentation scope, inserted when new. */
  scopeId(scope: ScopeInfo): number {
    const attrs = withMeta(scope.attributes, scope);
    const key = `${scope.name}\u0000${scope.version}\u0000${attrs}`;
    let id = this.scopeIds.get(key);
    if (id === undefined) {
      id = Number(this.insert.scope.run(scope.name, scope.version, attrs).lastInsertRowid);
      this.scopeIds.set(key, id);
      this.scopes.set(id, scope);
    }
    return id;
  }
}
