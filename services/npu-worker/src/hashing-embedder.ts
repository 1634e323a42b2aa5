/** Name reported as `npu.model`: a hashing vectorizer, not a learned model. */
export const HASHING_MODEL = 'autobot-hash-embed-v1';

/** One embedding and what it was computed from. */
export interface Embedding {
  vector: number[];
  /** Word tokens seen in the input. */
  tokens: number;
}

/**
 * A real, deterministic text embedding computed on the CPU by feature hashing (the "hashing
 * trick"): lower-cased word unigrams, word bigrams and character trigrams are hashed (FNV-1a,
 * 32 bit) into `dimensions` buckets with a hash-derived sign, weighted by `1 + ln(tf)`, then the
 * vector is L2-normalised. Texts that share words and spellings get a high cosine similarity;
 * there is no learned semantics (synonyms are not close). Same text, same vector, on every machine.
 */
export function embedText(text: string, dimensions: number): Embedding {
  const counts = new Map<number, number>();
  const add = (feature: string) => {
    const hash = fnv1a(feature);
    const bucket = hash % dimensions;
    // The top bit picks the sign, so collisions cancel out on average instead of piling up.
    const signed = hash & 0x80000000 ? -(bucket + 1) : bucket + 1;
    counts.set(signed, (counts.get(signed) ?? 0) + 1);
  };
  const words =
    text
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    add(`w:${word}`);
    if (i > 0) add(`b:${words[i - 1]} ${word}`);
    const padded = `^${word}$`;
    for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`);
  }
  const vector = new Array<number>(dimensions).fill(0);
  for (const [signed, count] of counts) {
    const index = Math.abs(signed) - 1;
    vector[index] = (vector[index] as number) + Math.sign(signed) * (1 + Math.log(count));
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] as number) / norm;
  return { vector, tokens: words.length };
}

/** Cosine similarity of two vectors of equal length (0 when either is all zeros). */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
