import { type Context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { LEAN_ROOT_CONTEXT } from '../../src/context/lean-context.js';

// The API's Context contract (opentelemetry-js api `context/types.ts`): setValue and deleteValue
// return a new context and leave the receiver unchanged; getValue sees the nearest set. The
// API's own BaseContext is the oracle.
const KEYS = Array.from({ length: 5 }, (_, i) => createContextKey(`lean-context-test-${i}`));

/** A tiny deterministic PRNG, so a failing sequence can be replayed. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

function values(ctx: Context): unknown[] {
  return KEYS.map((key) => ctx.getValue(key));
}

describe('LeanContext', () => {
  it('starts empty', () => {
    for (const key of KEYS) expect(LEAN_ROOT_CONTEXT.getValue(key)).toBeUndefined();
  });

  it('leaves the receiver unchanged by setValue and deleteValue', () => {
    const one = LEAN_ROOT_CONTEXT.setValue(KEYS[0] as symbol, 'a');
    const two = one.setValue(KEYS[0] as symbol, 'b');
    const gone = two.deleteValue(KEYS[0] as symbol);
    expect(one.getValue(KEYS[0] as symbol)).toBe('a');
    expect(two.getValue(KEYS[0] as symbol)).toBe('b');
    expect(gone.getValue(KEYS[0] as symbol)).toBeUndefined();
    expect(LEAN_ROOT_CONTEXT.getValue(KEYS[0] as symbol)).toBeUndefined();
  });

  it('answers like the API BaseContext for random set/delete sequences, across flattening', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const random = prng(seed);
      let lean: Context = LEAN_ROOT_CONTEXT;
      let base: Context = ROOT_CONTEXT;
      const kept: Array<[Context, Context]> = [];
      // 60 steps: chains pass the flattening depth (16) several times.
      for (let step = 0; step < 60; step++) {
        const key = KEYS[Math.floor(random() * KEYS.length)] as symbol;
        if (random() < 0.25) {
          lean = lean.deleteValue(key);
          base = base.deleteValue(key);
        } else {
          const value = random() < 0.1 ? undefined : { step };
          lean = lean.setValue(key, value);
          base = base.setValue(key, value);
        }
        expect(values(lean), `seed ${seed} step ${step}`).toEqual(values(base));
        if (random() < 0.2) kept.push([lean, base]);
      }
      // Earlier contexts still answer as they did (nothing derived later changed them).
      for (const [keptLean, keptBase] of kept) expect(values(keptLean)).toEqual(values(keptBase));
    }
  });
});
