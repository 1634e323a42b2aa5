import { describe, expect, it } from 'vitest';
import { llmPhases } from '../src/llm.js';

const tags = (o: Record<string, unknown>) =>
  Object.entries(o).map(([key, value]) => ({ key, type: 'float64', value }));

describe('llmPhases', () => {
  it('splits an Ollama call into queue/network, load, prefill and decode with token rates', () => {
    const phases = llmPhases(
      tags({
        'llm.duration_ms': 1000,
        'llm.total_duration_ms': 900,
        'llm.load_duration_ms': 100,
        'llm.prompt_eval_duration_ms': 200,
        'llm.eval_duration_ms': 600,
        'llm.prefill_tokens_per_second': 500,
        'llm.decode_tokens_per_second': 40,
      }),
      1_000_000,
    );
    expect(phases.map((p) => [p.key, p.durationUs, p.tokensPerSec])).toEqual([
      ['overhead', 100_000, undefined],
      ['load', 100_000, undefined],
      ['prefill', 200_000, 500],
      ['decode', 600_000, 40],
    ]);
  });

  it('splits a stream without server timings at the first chunk', () => {
    const phases = llmPhases(
      tags({ 'llm.duration_ms': 500, 'llm.time_to_first_chunk_ms': 100, 'gen_ai.usage.output_tokens': 20 }),
      500_000,
    );
    expect(phases.map((p) => [p.key, p.durationUs, p.tokensPerSec])).toEqual([
      ['first-chunk', 100_000, undefined],
      ['streaming', 400_000, 50],
    ]);
  });

  it('has no phases without timings', () => {
    expect(llmPhases(tags({ 'llm.model': 'x' }), 1000)).toEqual([]);
  });
});
