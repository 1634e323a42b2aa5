import { describe, expect, it } from 'vitest';
import { compileLinearRegex } from '../src/query/linear-regex.js';
import { splitCountedRepetitions } from '../src/query/regex-repetition.js';

// Differential check: the rewritten pattern on the linear engine must accept exactly what the
// original pattern accepts on V8's ordinary engine (ECMAScript RegExp semantics), full match.
const SUBJECTS = [
  '',
  'a'.repeat(16),
  'a'.repeat(17),
  'a'.repeat(19),
  'a'.repeat(20),
  'a'.repeat(21),
  'a'.repeat(40),
  'a'.repeat(41),
  'ab'.repeat(20),
  'ab'.repeat(21),
  '4bf92f3577b34da6a3ce929d0e0e4736',
  '4bf92f3577b34da6a3ce929d0e0e473',
  '4BF92F3577B34DA6A3CE929D0E0E4736',
  'A'.repeat(20),
  '{'.repeat(20),
  'a{20}',
  'x'.repeat(33),
  'b',
];

const PATTERNS = [
  '[0-9a-f]{32}',
  'a{20}',
  'a{20,40}',
  'a{17,}',
  'a{20,30}?',
  '(ab){20}',
  '(?<pair>ab){20,21}',
  '(?:a|b){17,19}',
  '\\x41{20}',
  '\\u0041{20}',
  '[{]{20}',
  'a\\{20}',
  'a{20}|b',
  'x{2,3}',
  'x{33}|a{5,}',
  'a{16}a{0,24}',
];

describe('splitCountedRepetitions (counts over 16 for the linear engine)', () => {
  it.each(PATTERNS)('%s matches exactly what the ordinary engine matches', (pattern) => {
    const linear = compileLinearRegex(pattern);
    const reference = new RegExp(`^(?:${pattern})$`);
    for (const subject of SUBJECTS)
      expect([subject, linear.test(subject)]).toEqual([subject, reference.test(subject)]);
  });

  it('splits into chunks of at most 16 and keeps small counts as written', () => {
    expect(splitCountedRepetitions('[0-9a-f]{32}')).toBe('[0-9a-f]{16}[0-9a-f]{16}');
    expect(splitCountedRepetitions('a{20,40}')).toBe('a{16}a{4,16}a{0,8}');
    expect(splitCountedRepetitions('a{17,}')).toBe('a{16}a{1}a*');
    expect(splitCountedRepetitions('x{2,3}y+z*?')).toBe('x{2,3}y+z*?');
    expect(splitCountedRepetitions('(a)(?<n>b)')).toBe('(?:a)(?:b)');
  });

  it('nested counts multiplying past 16 are still refused, naming a counted repetition', () => {
    expect(() => compileLinearRegex('((.*a){5}){5}')).toThrow(/counted repetition/);
  });

  it('counts over 256 are not unrolled (the automaton would grow with them) and are refused', () => {
    expect(compileLinearRegex('a{256}').test('a'.repeat(256))).toBe(true);
    expect(splitCountedRepetitions('a{257}')).toBe('a{257}');
    expect(splitCountedRepetitions('a{2,1000000}')).toBe('a{2,1000000}');
    expect(() => compileLinearRegex('a{1000000}')).toThrow(/counted repetition/);
  });
});
