/**
 * A DDSketch-style duration sketch (Masson, Rim, Lee, "DDSketch: A Fast and Fully-Mergeable
 * Quantile Sketch with Relative-Error Guarantees", VLDB 2019) with the logarithmic mapping.
 *
 * A value v ≥ 1 µs goes to bucket `ceil(log_γ v)` with γ = (1 + α) / (1 − α); a quantile is
 * answered with the bucket's representative value 2γ^i / (γ + 1), which is within a relative
 * error α of every value in the bucket. Durations below 1 µs (0 included) share bucket 0 and are
 * reported as 1 µs. Sketches merge exactly (bucket counts add), so per-minute sketches can be
 * combined over any window without losing the bound.
 */

/** Relative accuracy of every quantile this sketch reports: 1 %. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);

/** Bucket counts by bucket index. */
export type Sketch = Map<number, number>;

/** Bucket index of a duration in microseconds. */
export function sketchIndex(durationUs: number): number {
  return durationUs <= 1 ? 0 : Math.ceil(Math.log(durationUs) / LOG_GAMMA);
}

/** Representative value (µs) of a bucket: within α of every value the bucket holds. */
export function sketchValue(index: number): number {
  return index <= 0 ? 1 : (2 * GAMMA ** index) / (GAMMA + 1);
}

/** Adds `count` values of bucket `index`. */
export function sketchAdd(sketch: Sketch, index: number, count = 1): void {
  sketch.set(index, (sketch.get(index) ?? 0) + count);
}

/** Adds every bucket of `from` into `into`. */
export function sketchMerge(into: Sketch, from: Sketch): void {
  for (const [i, c] of from) into.set(i, (into.get(i) ?? 0) + c);
}

/**
 * The q-quantile (0 ≤ q ≤ 1) in microseconds, or `null` for an empty sketch. Uses the lower
 * rank `floor(q·(n−1))`, like DDSketch's reference implementation.
 */
export function sketchQuantile(sketch: Sketch, q: number): number | null {
  let total = 0;
  for (const c of sketch.values()) total += c;
  if (total === 0) return null;
  const rank = Math.floor(Math.min(1, Math.max(0, q)) * (total - 1));
  const indexes = [...sketch.keys()].sort((a, b) => a - b);
  let seen = 0;
  for (const i of indexes) {
    seen += sketch.get(i) ?? 0;
    if (seen > rank) return sketchValue(i);
  }
  return sketchValue(indexes[indexes.length - 1] as number);
}

/** Compact JSON text: `[[index, count], …]`. */
export function sketchToJson(sketch: Sketch): string {
  return JSON.stringify([...sketch]);
}

/** Parses {@link sketchToJson} output (an empty sketch for anything else). */
export function sketchFromJson(text: string | null | undefined): Sketch {
  if (!text) return new Map();
  try {
    const pairs = JSON.parse(text) as [number, number][];
    return Array.isArray(pairs) ? new Map(pairs) : new Map();
  } catch {
    return new Map();
  }
}
