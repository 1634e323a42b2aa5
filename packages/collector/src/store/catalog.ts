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

/**
 * Interned services, operations, resources and scopes, mirrored in memory: ingest resolves ids
 * without a query once a name has been seen, and reads resolve names without a join.
 */
export class Catalog {
  readonly serviceIds = new Map<string, number>();
  readonly serviceNames = new Map<number, string>();
  readonly opIds = new Map<string, number>();
  readonly ops = new Map<number, OpInfo>();
  readonly resourceIds = new Map<string, number>();
  readonly resources = new Map<number, ResourceRow>();
  readonly scopeIds = new Map<string, number>();
  readonly scopes = new Map<number, ScopeInfo>();
  private readonly insertService: Database.Statement;
  private readonly insertOp: Database.Statement;
  private readonly insertResource: Database.Statement;
  private readonly insertScope: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.insertService = db.prepare('INSERT INTO services (name) VALUES (?)');
    this.insertOp = db.prepare('INSERT INTO ops (svc_id, name, kind) VALUES (?,?,?)');
    this.insertResource = db.prepare('INSERT INTO resources (svc_id, attrs) VALUES (?,?)');
    this.insertScope = db.prepare('INSERT INTO scopes (name, version, attrs) VALUES (?,?,?)');
    this.load();
  }

  /** Loads every interned row. */
  load(): void {
    for (const r of this.db.prepare('SELECT id, name FROM services').all() as {
      id: number;
      name: string;
    }[]) {
      this.serviceIds.set(r.name, r.id);
      this.serviceNames.set(r.id, r.name);
    }
    for (const r of this.db.prepare('SELECT id, svc_id, name, kind FROM ops').all() as {
      id: number;
      svc_id: number;
      name: string;
      kind: number;
    }[]) {
      this.opIds.set(`${r.svc_id}\u0000${r.kind}\u0000${r.name}`, r.id);
      this.ops.set(r.id, { svcId: r.svc_id, name: r.name, kind: r.kind });
    }
    for (const r of this.db.prepare('SELECT id, svc_id, attrs FROM resources').all() as {
      id: number;
      svc_id: number;
      attrs: string;
    }[]) {
      this.resourceIds.set(r.attrs, r.id);
      this.resources.set(r.id, { svcId: r.svc_id, ...splitMeta(r.attrs) });
    }
    for (const r of this.db.prepare('SELECT id, name, version, attrs FROM scopes').all() as {
      id: number;
      name: string;
      version: string;
      attrs: string;
    }[]) {
      this.scopeIds.set(`${r.name}\u0000${r.version}\u0000${r.attrs}`, r.id);
      this.scopes.set(r.id, { name: r.name, version: r.version, ...splitMeta(r.attrs) });
    }
  }

  /** Id of a service name, inserted when new. */
  serviceId(name: string): number {
    let id = this.serviceIds.get(name);
    if (id === undefined) {
      id = Number(this.insertService.run(name).lastInsertRowid);
      this.serviceIds.set(name, id);
      this.serviceNames.set(id, name);
    }
    return id;
  }

  /** Id of an operation (service, name, kind), inserted when new. */
  opId(svcId: number, name: string, kind: number): number {
    const key = `${svcId}\u0000${kind}\u0000${name}`;
    let id = this.opIds.get(key);
    if (id === undefined) {
      id = Number(this.insertOp.run(svcId, name, kind).lastInsertRowid);
      this.opIds.set(key, id);
      this.ops.set(id, { svcId, name, kind });
    }
    return id;
  }

  /** Id of a resource (by its attributes, schema URL and dropped count), inserted when new. */
  resourceId(svcId: number, resource: ResourceInfo): number {
    const json = withMeta(resource.attributes, resource);
    let id = this.resourceIds.get(json);
    if (id === undefined) {
      id = Number(this.insertResource.run(svcId, json).lastInsertRowid);
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
      id = Number(this.insertScope.run(scope.name, scope.version, attrs).lastInsertRowid);
      this.scopeIds.set(key, id);
      this.scopes.set(id, scope);
    }
    return id;
  }
}
