// The overhead run's sink counts spans by walking the protobuf framing (bench/lib/otlp-span-count.mjs)
// instead of decoding them: checked here against the collector's decoder, on the random and
// edge-case requests of the collector's wire differential test (field order shuffled, unknown
// fields, repeated resources, missing or repeated `service.name`).
import { describe, expect, it } from 'vitest';
import { countSpans } from '../../bench/lib/otlp-span-count.mjs';
import { decodeProtobufRequest } from '../../packages/collector/src/otlp/decode-protobuf.js';
import { Gen, prng, requestBytes } from '../../packages/collector/test/otlp-random-requests.js';

describe('bench sink: span count from the protobuf framing', () => {
  it('agrees with the collector decoder on 5,000 random requests, in total and per service', () => {
    const g = new Gen(prng(20261203));
    let compared = 0;
    for (let i = 0; i < 5000; i++) {
      const bytes = requestBytes(g);
      let batch: ReturnType<typeof decodeProtobufRequest>;
      try {
        batch = decodeProtobufRequest(bytes);
      } catch {
        continue; // malformed at a level the counter does not read: nothing to compare
      }
      const byService: Record<string, number> = {};
      expect(countSpans(bytes, byService)).toBe(batch.spanCount + batch.rejected);
      if (batch.rejected > 0) continue; // rejected spans belong to no service in the decoder's view
      const expected: Record<string, number> = {};
      for (const group of batch.groups) {
        const name = group.resource.serviceName;
        expected[name] = (expected[name] ?? 0) + group.spans.length;
      }
      const nonEmpty = Object.fromEntries(Object.entries(byService).filter(([, n]) => n > 0));
      expect(nonEmpty).toEqual(expected);
      compared++;
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('throws on a truncated request instead of counting a partial one', () => {
    const bytes = requestBytes(new Gen(prng(7)));
    expect(() => countSpans(bytes.subarray(0, bytes.length - 1), {})).toThrow();
  });
});
