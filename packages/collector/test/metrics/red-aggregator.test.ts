import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MAX_OPERATIONS, OVERFLOW_OPERATION, RedAggregator } from '../../src/metrics/red-aggregator.js';
import {
  SKETCH_RELATIVE_ACCURACY,
  type Sketch,
  sketchAdd,
  sketchIndex,
  sketchQuantile,
} from '../../src/metrics/sketch.js';
import { makeSpan } from '../helpers.js';

describe('duration sketch', () => {
  it('answers every quantile within the stated relative accuracy', () => {
    let seed = 3;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values = Array.from({ length: 20_000 }, () => Math.round(2 + 10 ** (rand() * 8)));
    const sketch: Sketch = new Map();
    for (const v of values) sketchAdd(sketch, sketchIndex(v));
    values.sort((a, b) => a - b);
    for (const q of [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1]) {
      const exact = values[Math.floor(q * (values.length - 1))] as number;
      const got = sketchQuantile(sketch, q) as number;
      expect(Math.abs(got - exact) / exact, `q=${q}`).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY + 1e-9);
    }
    expect(sketchQuantile(new Map(), 0.5)).toBeNull();
  });
});

describe('series limit', () => {
  it(`folds operations beyond ${MAX_OPERATIONS} into "${OVERFLOW_OPERATION}" per service`, () => {
    const red = new RedAggregator(new Database(':memory:'));
    for (let i = 0; i < MAX_OPERATIONS + 10; i++)
      red.add('svc', makeSpan({ name: `GET /items/${i}`, kind: 2 }));
    const series = [...red.series()];
    expect(series).toHaveLength(MAX_OPERATIONS + 1);
    expect(series.find((s) => s.operation === OVERFLOW_OPERATION)?.count).toBe(10);
    red.flush();
    const minute = Math.floor(makeSpan().startUs / 60_000_000);
    const cells = red.cells(minute - 1, minute + 1);
    expect(cells.reduce((a, c) => a + c.calls, 0)).toBe(MAX_OPERATIONS + 10);
  });
});
