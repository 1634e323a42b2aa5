import { describe, expect, it } from 'vitest';
import { linearRegexTest, literalPrefix } from '../src/query/linear-regex.js';

describe('literal-prefix prefilter of =~', () => {
  it('takes the leading plain characters every match must start with', () => {
    expect(literalPrefix('user-99999.*')).toBe('user-99999');
    expect(literalPrefix('abc')).toBe('abc');
    expect(literalPrefix('ab+c')).toBe('ab');
    // A quantifier that allows none of the last character drops it.
    expect(literalPrefix('ab?c')).toBe('a');
    expect(literalPrefix('ab*')).toBe('a');
    expect(literalPrefix('ab{0,2}')).toBe('a');
    expect(literalPrefix('a?')).toBe('');
  });

  it('is empty for a top-level alternation or a leading construct', () => {
    expect(literalPrefix('abc|xyz')).toBe('');
    expect(literalPrefix('ab(c|d)')).toBe('ab');
    expect(literalPrefix('ab[|]c|d')).toBe('');
    expect(literalPrefix('ab[|]c')).toBe('ab');
    expect(literalPrefix('ab\\|c|d')).toBe('');
    expect(literalPrefix('.*x')).toBe('');
    expect(literalPrefix('(ab)c')).toBe('');
    expect(literalPrefix('\\.x')).toBe('');
    expect(literalPrefix('[a]b')).toBe('');
  });

  it('never changes a result: same answers as the anchored backtracking RegExp', () => {
    const patterns = [
      'user-99999.*',
      'ab?c',
      'ab*',
      'ab+c',
      'ab{0,2}',
      'abc|xyz',
      'ab(c|d)e?',
      'ab[|]c|d',
      'x\\.y.*',
      '😀?a',
      'HTTP (GET|POST) /api/.*',
      'é+t',
    ];
    const values = [
      '',
      'a',
      'ab',
      'abc',
      'ac',
      'abbbc',
      'abb',
      'xyz',
      'abde',
      'abce',
      'ab|c',
      'd',
      'user-99999',
      'user-999991',
      'user-1',
      'x.yz',
      'xay',
      '😀a',
      '\uD83Da',
      'a',
      'HTTP GET /api/chat',
      'HTTP PUT /api/chat',
      'éét',
      'et',
    ];
    for (const pattern of patterns) {
      const reference = new RegExp(`^(?:${pattern})$`);
      for (const value of values) {
        expect(linearRegexTest(pattern, value), `${pattern} on ${JSON.stringify(value)}`).toBe(
          reference.test(value),
        );
      }
    }
  });
});
