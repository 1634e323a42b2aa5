import { describe, expect, it } from 'vitest';
import { attributeText } from '../src/format.js';

describe('attributeText', () => {
  it('drops binary-float noise and names the unit', () => {
    expect(attributeText('gen_ai.response.time_to_first_chunk', 0.024379180000003543)).toBe(
      '0.0243792 s (24.38 ms)',
    );
    expect(attributeText('llm.duration_ms', 6200.123456789)).toBe('6200.12 ms');
    expect(attributeText('llm.time_to_first_chunk_ms', 24)).toBe('24 ms');
    expect(attributeText('db.elapsed_us', 1.5)).toBe('1.5 µs');
  });

  it('leaves integers, strings and other keys as they are', () => {
    expect(attributeText('llm.tokens_in', 42)).toBe('42');
    expect(attributeText('temperature', 0.7000000000000001)).toBe('0.7');
    expect(attributeText('ssh.target_vm', 'frontend')).toBe('frontend');
    expect(attributeText('flag', true)).toBe('true');
  });
});
