import { describe, expect, it } from 'vitest';
import { parseExact, STORED_JSON, stringifyExact } from '../src/json-exact.js';
import { DOUBLE_TAG } from '../src/model.js';

describe('parseExact / stringifyExact (exact int64 JSON on Node 20)', () => {
  it('keeps integers beyond 2^53 exact as bigint, everything else as JSON.parse does', () => {
    const text =
      '{"a":9007199254740993,"b":-9223372036854775808,"c":9007199254740991,"d":1.5e300,"e":12345678901234567.5,' +
      '"s":"9007199254740993 \\u00e9\\n","t":[true,false,null,{}],"__proto__":1}';
    const v = parseExact(text) as Record<string, unknown>;
    expect(v.a).toBe(9007199254740993n);
    expect(v.b).toBe(-9223372036854775808n);
    expect(v.c).toBe(9007199254740991);
    expect(v.d).toBe(1.5e300);
    expect(v.e).toBe(Number('12345678901234567.5')); // a fraction: a double, as JSON.parse gives
    expect(v.s).toBe('9007199254740993 é\n');
    expect(v.t).toEqual([true, false, null, {}]);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toContain('__proto__');
  });

  it('rejects what JSON.parse rejects', () => {
    for (const bad of [
      '{"a":12345678901234567,}',
      '[12345678901234567',
      '{"a":012345678901234567}',
      '"\u0001" 12345678901234567',
      '[12345678901234567] x',
      '{"a" 12345678901234567}',
    ]) {
      expect(() => JSON.parse(bad), bad).toThrow(SyntaxError);
      expect(() => parseExact(bad), bad).toThrow(SyntaxError);
    }
  });

  it('writes bigints as bare integer literals and round-trips them', () => {
    const value = {
      max: 9223372036854775807n,
      min: -9223372036854775808n,
      n: 1,
      s: '\\ud800n1',
      list: [2n ** 60n],
    };
    const text = stringifyExact(value);
    expect(text).toBe(
      '{"max":9223372036854775807,"min":-9223372036854775808,"n":1,"s":"\\\\ud800n1","list":[1152921504606846976]}',
    );
    expect(parseExact(text)).toEqual(value);
    expect(stringifyExact({ a: 1 })).toBe('{"a":1}');
  });

  it('writes integral doubles as double literals and reads them back tagged (stored JSON only)', () => {
    const value = {
      five: { [DOUBLE_TAG]: 5 },
      negZero: { [DOUBLE_TAG]: -0 },
      huge: { [DOUBLE_TAG]: 1e21 },
      nan: { [DOUBLE_TAG]: 'NaN' },
      n: 5,
    };
    const text = stringifyExact(value);
    expect(text).toBe('{"five":5.0,"negZero":-0.0,"huge":1e+21,"nan":{"\\ud800double":"NaN"},"n":5}');
    expect(parseExact(text, STORED_JSON)).toEqual(value);
    expect(
      Object.is(
        (parseExact(text, STORED_JSON) as { negZero: Record<string, number> }).negZero[DOUBLE_TAG],
        -0,
      ),
    ).toBe(true);
    // Without the option (OTLP/JSON input), 5.0 is the number 5.
    expect((parseExact(text) as { five: unknown }).five).toBe(5);
  });

  it('finds an integral double wherever stringifyExact can write one, and only there', () => {
    for (const value of [
      [{ [DOUBLE_TAG]: 7 }],
      { list: [1, { [DOUBLE_TAG]: 2 }] },
      { a: 'x', big: { [DOUBLE_TAG]: 1.5e21 } },
      { [DOUBLE_TAG]: 3 },
    ]) {
      expect(parseExact(stringifyExact(value), STORED_JSON)).toEqual(value);
    }
    // A dotted quad inside a string is not a number: the row keeps the native parse, same result.
    const text = stringifyExact({ 'http.url': 'http://10.0.0.3/api/v1.0/items', port: 8080 });
    expect(parseExact(text, STORED_JSON)).toEqual({
      'http.url': 'http://10.0.0.3/api/v1.0/items',
      port: 8080,
    });
  });
});
