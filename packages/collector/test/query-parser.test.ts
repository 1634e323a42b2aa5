import { describe, expect, it } from 'vitest';
import { parseDurationUs, parseQuery, QuerySyntaxError } from '../src/index.js';

function syntaxError(q: string): QuerySyntaxError {
  try {
    parseQuery(q);
  } catch (error) {
    expect(error).toBeInstanceOf(QuerySyntaxError);
    return error as QuerySyntaxError;
  }
  throw new Error(`expected a syntax error for ${q}`);
}

describe('query parser', () => {
  it('parses the spec examples verbatim', () => {
    expect(parseQuery('llm.duration_ms > 5000')).toMatchObject({
      type: 'cmp',
      field: { kind: 'attr', scope: 'any', key: 'llm.duration_ms' },
      op: '>',
      value: { type: 'number', value: 5000 },
    });
    expect(parseQuery('ssh.error_type = asyncssh_error')).toMatchObject({
      field: { key: 'ssh.error_type' },
      op: '=',
      value: { type: 'word', value: 'asyncssh_error' },
    });
    expect(parseQuery('ssh.target_vm = frontend')).toMatchObject({
      value: { type: 'word', value: 'frontend' },
    });
  });

  it('parses every operator, scopes, intrinsics, durations, quoting and precedence', () => {
    for (const op of ['=', '!=', '>', '>=', '<', '<=', '=~', '!~']) {
      const value = op.includes('~') ? '"a.*"' : '"x"';
      expect(parseQuery(`span.k ${op} ${value}`)).toMatchObject({ op, field: { scope: 'span', key: 'k' } });
    }
    expect(parseQuery('resource.host.name = vm1')).toMatchObject({
      field: { scope: 'resource', key: 'host.name' },
    });
    expect(parseQuery('resource.service.name = backend')).toMatchObject({
      field: { kind: 'intrinsic', name: 'service' },
    });
    expect(parseQuery('duration > 2s')).toMatchObject({
      field: { name: 'duration' },
      value: { type: 'duration', us: 2e6 },
    });
    expect(parseDurationUs('1m30s')).toBe(90e6);
    expect(parseDurationUs('150ms')).toBe(150_000);
    expect(parseQuery('status = error')).toMatchObject({ field: { name: 'status' } });
    expect(parseQuery('kind = server')).toMatchObject({ field: { name: 'kind' } });
    expect(parseQuery("name = 'HTTP GET /api/chat'")).toMatchObject({
      value: { type: 'string', value: 'HTTP GET /api/chat' },
    });
    expect(parseQuery('a = 1 or b = 2 and c = 3')).toMatchObject({
      type: 'or',
      items: [{ type: 'cmp' }, { type: 'and' }],
    });
    expect(parseQuery('(a = 1 or b = 2) and not c = 3')).toMatchObject({
      type: 'and',
      items: [{ type: 'or' }, { type: 'not' }],
    });
    expect(parseQuery('a = 1 && b = -2.5')).toMatchObject({
      type: 'and',
      items: [{}, { value: { value: -2.5 } }],
    });
    expect(parseQuery('   ')).toBeNull();
  });

  it('reports the column and what was expected', () => {
    const e1 = syntaxError('llm.duration_ms >');
    expect(e1.code).toBe('AUTOBOT_ERR_COLLECTOR_QUERY_SYNTAX');
    expect(e1.column).toBe(18);
    expect(e1.expected).toMatch(/value/);
    const e2 = syntaxError('service = backend and');
    expect(e2.column).toBe(22);
    expect(e2.expected).toMatch(/field/);
    const e3 = syntaxError('(a = 1');
    expect(e3.expected).toBe('")"');
    const e4 = syntaxError('a 5000');
    expect(e4.column).toBe(3);
    expect(e4.expected).toMatch(/operator/);
    expect(syntaxError('duration > 5000').expected).toMatch(/duration with a unit/);
    expect(syntaxError('status = broken').expected).toMatch(/ok, error or unset/);
    expect(syntaxError('a = "open').expected).toMatch(/closing/);
    expect(syntaxError('a =~ "("').expected).toMatch(/regular expression/);
    expect(syntaxError('a = 1 b = 2').expected).toMatch(/and/);
    expect(syntaxError('a = #').column).toBe(5);
  });
});
