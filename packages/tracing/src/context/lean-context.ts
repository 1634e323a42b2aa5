import type { Context } from '@opentelemetry/api';

/**
 * A Context (the OpenTelemetry API's interface) as a persistent linked list: `setValue` adds one
 * small node in front of its parent instead of copying every entry into a new Map, and
 * `getValue` walks back to the nearest node holding the key.
 *
 * Why: the API's own BaseContext copies its Map and allocates three closures on every
 * `setValue`, and a traced request derives several contexts (each propagator's extract sets the
 * span context, the server span is set, each client call sets its span for injection). Profiles
 * of the overhead bench put that copying among the largest single costs of an unsampled request.
 *
 * Contexts started from {@link LEAN_ROOT_CONTEXT} stay lean: every context derived from one is
 * another LeanContext. A chain longer than {@link MAX_CHAIN} is flattened into one node with a
 * Map, so lookups stay short however deep spans nest.
 */
const MAX_CHAIN = 16;
/** Marks a key deleted by `deleteValue` (undefined is a legal value to look up, not to store). */
const DELETED: unique symbol = Symbol('autobot.context.deleted');

class LeanContext implements Context {
  constructor(
    private readonly parent: LeanContext | undefined,
    private readonly key: symbol | undefined,
    private readonly value: unknown,
    private readonly depth: number,
    /** Set on flattened nodes: every entry of the chain they replace (deleted keys left out). */
    private readonly entries?: ReadonlyMap<symbol, unknown>,
  ) {}

  getValue(key: symbol): unknown {
    let node: LeanContext | undefined = this;
    while (node !== undefined) {
      if (node.entries !== undefined) return node.entries.get(key);
      if (node.key === key) return node.value === DELETED ? undefined : node.value;
      node = node.parent;
    }
    return undefined;
  }

  setValue(key: symbol, value: unknown): Context {
    return this.derive(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.derive(key, DELETED);
  }

  private derive(key: symbol, value: unknown): LeanContext {
    if (this.depth < MAX_CHAIN) return new LeanContext(this, key, value, this.depth + 1);
    const entries = this.collect();
    if (value === DELETED) entries.delete(key);
    else entries.set(key, value);
    return new LeanContext(undefined, undefined, undefined, 0, entries);
  }

  /** Every live entry of the chain, nearest node first (a nearer node shadows a farther one). */
  private collect(): Map<symbol, unknown> {
    const entries = new Map<symbol, unknown>();
    const seen = new Set<symbol>();
    let node: LeanContext | undefined = this;
    while (node !== undefined) {
      if (node.entries !== undefined) {
        for (const [key, value] of node.entries) if (!seen.has(key)) entries.set(key, value);
        break;
      }
      const key = node.key as symbol;
      if (!seen.has(key)) {
        seen.add(key);
        if (node.value !== DELETED) entries.set(key, node.value);
      }
      node = node.parent;
    }
    return entries;
  }
}

/** The empty LeanContext: start a request's context from it instead of the API's ROOT_CONTEXT. */
export const LEAN_ROOT_CONTEXT: Context = new LeanContext(undefined, undefined, undefined, 0, new Map());
