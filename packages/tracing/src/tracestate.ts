import type { TraceState } from '@opentelemetry/api';

/**
 * W3C Trace Context Level 2 `tracestate` (§3.3.2 "tracestate Header Field Values").
 *
 * Strict: a header that breaks the grammar anywhere is discarded as a whole (§5.1.2 step 3 "If
 * the tracestate header cannot be parsed the vendor MAY discard the entire header"), rather
 * than dropping the bad members and forwarding a list its author never sent.
 */

/** §3.3.2.2.1 Key: `( lcalpha / DIGIT ) 0*255 ( keychar )`, keychar adds `_ - * / @`. */
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
/** §3.3.2.2.2 Value: `0*255(chr) nblk-chr`; chr is 0x20 or nblk-chr (0x21-0x7E minus `,` and `=`). */
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
/** §3.3.2 "There can be a maximum of 32 list-members in a list." */
export const MAX_TRACESTATE_MEMBERS = 32;
/** OWS (RFC 9110 §5.6.3): spaces and horizontal tabs. */
const OWS_EDGES = /^[ \t]+|[ \t]+$/g;

/** True when `key` follows the §3.3.2.2.1 key grammar. */
export function isValidTraceStateKey(key: string): boolean {
  return KEY.test(key);
}

/** True when `value` follows the §3.3.2.2.2 value grammar. */
export function isValidTraceStateValue(value: string): boolean {
  return VALUE.test(value);
}

/**
 * An immutable, ordered tracestate list. Mutations return a new list with the touched key moved
 * to the front (§3.5 "Modified keys MUST be moved to the beginning (left) of the list"); an
 * invalid key or value leaves the list unchanged (tracing code never throws into user code).
 */
export class W3CTraceState implements TraceState {
  private constructor(private readonly members: ReadonlyArray<readonly [string, string]>) {}

  /** The empty list. */
  static empty(): W3CTraceState {
    return new W3CTraceState([]);
  }

  /**
   * Parse one combined header value (several `tracestate` fields already joined with `,`, as
   * RFC 9110 §5.3 and §3.3.2 require). Returns `undefined` when the header must be discarded:
   * any member with an invalid key or value (`foo=bar=baz`, `foo=`, `FOO=1`, `@foo=1`, a key
   * over 256 characters), or more than 32 members. Empty and OWS-only members are allowed and
   * skipped (§3.3.2). A duplicated key keeps its first (left-most) value (§3.5 "vendors MAY also
   * discard duplicate keys"). An empty header yields the empty list.
   */
  static parse(header: string): W3CTraceState | undefined {
    const members: [string, string][] = [];
    const seen = new Set<string>();
    for (const raw of header.split(',')) {
      const member = raw.replace(OWS_EDGES, '');
      if (member === '') continue;
      const eq = member.indexOf('=');
      if (eq <= 0) return undefined;
      const key = member.slice(0, eq);
      const value = member.slice(eq + 1);
      if (!KEY.test(key) || !VALUE.test(value)) return undefined;
      if (seen.has(key)) continue;
      seen.add(key);
      members.push([key, value]);
      if (members.length > MAX_TRACESTATE_MEMBERS) return undefined;
    }
    return new W3CTraceState(members);
  }

  /** Number of members. */
  get size(): number {
    return this.members.length;
  }

  get(key: string): string | undefined {
    for (const [k, v] of this.members) if (k === key) return v;
    return undefined;
  }

  /**
   * A list with `key=value` first. Invalid keys or values are ignored (same list returned).
   * At 32 members the right-most one is dropped to make room (§3.3.2).
   */
  set(key: string, value: string): W3CTraceState {
    if (!KEY.test(key) || !VALUE.test(value)) return this;
    const rest = this.members.filter(([k]) => k !== key);
    return new W3CTraceState([[key, value] as const, ...rest].slice(0, MAX_TRACESTATE_MEMBERS));
  }

  unset(key: string): W3CTraceState {
    if (this.get(key) === undefined) return this;
    return new W3CTraceState(this.members.filter(([k]) => k !== key));
  }

  /** `k1=v1,k2=v2`, no optional whitespace (§3.3.2 "SHOULD NOT generate optional whitespace"). */
  serialize(): string {
    return this.members.map(([k, v]) => `${k}=${v}`).join(',');
  }
}
