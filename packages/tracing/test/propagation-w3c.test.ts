// W3C Trace Context Level 2 (https://www.w3.org/TR/trace-context-2/), table tests. Every row
// names the section it checks, with the Level 2 document's numbering: §3.2 traceparent
// (3.2.2.1 version, 3.2.2.2 version-format, 3.2.2.3 trace-id, 3.2.2.4 parent-id, 3.2.2.5
// trace-flags, 3.2.2.5.2 random trace id flag, 3.2.4 versioning), §3.3 tracestate (3.3.2 field
// values/list, 3.3.2.2.1 key, 3.3.2.2.2 value), §3.5 mutating tracestate, §5.1 processing model.
import { context, propagation, ROOT_CONTEXT, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import Fastify from 'fastify';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { lowercaseGetter, normalizeHeaders } from '../src/headers.js';
import {
  createPropagator,
  parseTraceparent,
  W3CTraceContextPropagator,
  W3CTraceState,
} from '../src/index.js';
import { initInMemoryTracing } from './helpers/in-memory-tracing.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const tp = (flags: string, version = '00') => `${version}-${T}-${S}-${flags}`;

describe('traceparent parsing', () => {
  it.each([
    ['§3.2.2.2 version-format', tp('01'), 0x01],
    ['§3.2.2.5 trace-flags: not sampled', tp('00'), 0x00],
    ['§3.2.2.5.2 random flag alone', tp('02'), 0x02],
    ['§3.2.2.5.2 random + sampled', tp('03'), 0x03],
    ['§5.1.2 step 2.2 unknown flags set to 0 (ff → 03)', tp('ff'), 0x03],
    ['§5.1.2 step 2.2 unknown flags set to 0 (09 → 01)', tp('09'), 0x01],
    ['§3.2.4 higher version, same length', tp('01', 'cc'), 0x01],
    ['§3.2.4 higher version, more fields after "-"', `${tp('01', 'cc')}-what-the-future-will-be-like`, 0x01],
    ['§3.2 OWS around the field value is not part of it', ` \t${tp('01')}\t `, 0x01],
  ])('accepts %s', (_section, header, flags) => {
    expect(parseTraceparent(header)).toEqual({ traceId: T, spanId: S, traceFlags: flags });
  });

  it.each([
    ['§3.2.2.1 version ff is forbidden', tp('01', 'ff')],
    ['§3.2.2.1 version: illegal characters', tp('01', '.0')],
    ['§3.2.2.1 version: upper-case hex', tp('01', 'CC')],
    ['§3.2.2.1 version too long', `000-${T}-${S}-01`],
    ['§3.2.2.1 version too short', `0-${T}-${S}-01`],
    ['§3.2.2.2 version 00 with a trailing character', `${tp('01')}.`],
    ['§3.2.2.2 version 00 with extra fields', `${tp('01')}-what-the-future-will-be-like`],
    ['§3.2.4 higher version: flags followed by neither end nor "-"', `${tp('01', 'cc')}.what-the-future`],
    ['§3.2.4 higher version shorter than 55 characters', `cc-${T}-${S}-1`],
    ['§3.2.2 "-" delimiters', `00_${T}_${S}_01`],
    ['§3.2.2.3 trace-id all zeros', `00-${'0'.repeat(32)}-${S}-01`],
    ['§3.2.2.3 trace-id upper-case hex', `00-${T.toUpperCase()}-${S}-01`],
    ['§3.2.2.3 trace-id illegal characters', `00-${T.slice(0, 31)}.-${S}-01`],
    ['§3.2.2.3 trace-id too long', `00-${T}0-${S}-01`],
    ['§3.2.2.3 trace-id too short', `00-${T.slice(1)}-${S}-01`],
    ['§3.2.2.4 parent-id all zeros', `00-${T}-${'0'.repeat(16)}-01`],
    ['§3.2.2.4 parent-id upper-case hex', `00-${T}-${S.toUpperCase()}-01`],
    ['§3.2.2.4 parent-id illegal characters', `00-${T}-${S.slice(0, 15)}.-01`],
    ['§3.2.2.4 parent-id too long', `00-${T}-${S}0-01`],
    ['§3.2.2.4 parent-id too short', `00-${T}-${S.slice(1)}-01`],
    ['§3.2.2.5 trace-flags illegal characters', tp('.0')],
    ['§3.2.2.5 trace-flags upper-case hex', tp('0A')],
    ['§3.2.2.5 trace-flags too long', tp('001')],
    ['§3.2.2.5 trace-flags too short', tp('1')],
    ['§5.1.2 two traceparent fields combined (RFC 9110 §5.3)', `${tp('01')},${tp('01')}`],
    ['§3.2 empty value', ''],
  ])('rejects %s', (_section, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });
});

describe('tracestate parsing', () => {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
  const allValueChars = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i))
    .filter((c) => c !== ',' && c !== '=')
    .join('');
  const members = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=${i}`).join(',');

  it.each([
    ['§3.3.2.1 list of two members', 'foo=1,bar=2', 'foo=1,bar=2'],
    ['§3.3.2 OWS around list-members is ignored', 'foo=1 \t , \t bar=2,\t baz=3 ', 'foo=1,bar=2,baz=3'],
    ['§3.3.2 empty and OWS-only list-members are allowed', 'foo=1,, ,\t,bar=2,', 'foo=1,bar=2'],
    ['§3.3.2 an empty header is accepted (empty list)', '', ''],
    ['§3.3.2.2.1 key may start with a digit', '1foo=1', '1foo=1'],
    ['§3.3.2.2.1 every keychar', `${chars}@${chars}=1`, `${chars}@${chars}=1`],
    ['§3.3.2.2.1 "@" is a keychar: foo@', 'foo@=1,bar=2', 'foo@=1,bar=2'],
    [
      '§3.3.2.2.1 "@" is a keychar: foo@@bar, foo@bar@baz',
      'foo@@bar=1,foo@bar@baz=2',
      'foo@@bar=1,foo@bar@baz=2',
    ],
    ['§3.3.2.2.1 multi-tenant style tenant@system', 'tenant@system=1', 'tenant@system=1'],
    ['§3.3.2.2.1 key of 256 characters', `${'z'.repeat(256)}=1`, `${'z'.repeat(256)}=1`],
    ['§3.3.2.2.1 256 characters with "@"', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`, undefined],
    ['§3.3.2.2.2 every allowed value character', `foo=${allValueChars}`, `foo=${allValueChars}`],
    ['§3.3.2.2.2 leading spaces are part of the value', 'foo=  bar', 'foo=  bar'],
    ['§3.3.2.2.2 trailing spaces are optional whitespace', 'foo=bar  ', 'foo=bar'],
    ['§3.3.2.2.2 value of 256 characters', `foo=${'v'.repeat(256)}`, `foo=${'v'.repeat(256)}`],
    ['§3.3.2 32 list-members', members(32), members(32)],
    ['§3.5 duplicate keys: the first is kept, later ones discarded', 'foo=1,bar=2,foo=3', 'foo=1,bar=2'],
  ])('keeps %s', (_section, header, serialized) => {
    const state = W3CTraceState.parse(header);
    expect(state).toBeDefined();
    expect(state?.serialize()).toBe(serialized ?? header);
  });

  it.each([
    ['§3.3.2 more than 32 list-members', members(33)],
    ['§3.3.2.2.1 key of 257 characters', `foo=1,${'z'.repeat(257)}=1`],
    ['§3.3.2.2.1 upper-case key', 'FOO=1,bar=2'],
    ['§3.3.2.2.1 key starting with "@"', '@foo=1,bar=2'],
    ['§3.3.2.2.1 key starting with "_"', '_foo=1,bar=2'],
    ['§3.3.2.2.1 "." is not a keychar', 'foo.bar=1,bar=2'],
    ['§3.3.2.2.1 space inside a key', 'foo =1,bar=2'],
    ['§3.3.2.2.1 empty key', '=1,bar=2'],
    ['§3.3.2.1 list-member without "="', 'foo,bar=2'],
    ['§3.3.2.2.2 "=" in a value', 'foo=bar=baz,k=v'],
    ['§3.3.2.2.2 empty value', 'foo=,bar=3'],
    ['§3.3.2.2.2 value of 257 characters', `foo=${'v'.repeat(257)}`],
    ['§3.3.2.2.2 tab inside a value', 'foo=a\tb'],
    ['§3.3.2.2.2 non-ASCII value', 'foo=é'],
  ])('discards the whole header for %s', (_section, header) => {
    expect(W3CTraceState.parse(header)).toBeUndefined();
  });

  it('§3.5 set() moves the key to the front, ignores invalid input, keeps 32 members at most', () => {
    const state = W3CTraceState.parse('a=1,b=2,c=3') as W3CTraceState;
    expect(state.set('c', '9').serialize()).toBe('c=9,a=1,b=2');
    expect(state.set('NOPE', '1')).toBe(state);
    expect(state.set('ok', 'bad=value')).toBe(state);
    expect(state.unset('b').serialize()).toBe('a=1,c=3');
    const full = W3CTraceState.parse(members(32)) as W3CTraceState;
    const added = full.set('new', 'x');
    expect(added.size).toBe(32);
    expect(added.serialize().startsWith('new=x,k0=0')).toBe(true);
    expect(added.get('k31')).toBeUndefined();
  });
});

describe('W3C propagator (unit)', () => {
  const propagator = createPropagator();
  const extract = (headers: Record<string, string | string[]>) =>
    trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, lowercaseGetter));
  const inject = (spanContext: SpanContext) => {
    const out: Record<string, string> = {};
    propagator.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), out, {
      set: (c, k, v) => {
        c[k] = v;
      },
    });
    return out;
  };

  it('§3.2.1 / §3.3.1 header names are case-insensitive', () => {
    const ctx = extract(normalizeHeaders({ TraceParent: tp('01'), TRACESTATE: 'foo=1' }));
    expect(ctx).toMatchObject({ traceId: T, spanId: S, isRemote: true });
    expect(ctx?.traceState?.serialize()).toBe('foo=1');
  });

  it('§3.3.2 several tracestate fields are combined in order (RFC 9110 §5.3)', () => {
    const ctx = extract({ traceparent: tp('00'), tracestate: ['foo=1,bar=2', 'rojo=1', '', 'baz=3'] });
    expect(ctx?.traceState?.serialize()).toBe('foo=1,bar=2,rojo=1,baz=3');
  });

  it('§5.1.2 two traceparent fields: the header is ignored', () => {
    expect(extract({ traceparent: [tp('01'), tp('01')] })).toBeUndefined();
  });

  it('§5.1.1 step 3 a tracestate without traceparent is discarded', () => {
    expect(extract({ tracestate: 'foo=1' })).toBeUndefined();
  });

  it('§3.3 an invalid tracestate does not affect the traceparent, and is not sent on', () => {
    const ctx = extract({ traceparent: tp('03'), tracestate: 'foo=1,foo=bar=baz' });
    expect(ctx).toMatchObject({ traceId: T, spanId: S, traceFlags: 3 });
    expect(ctx?.traceState).toBeUndefined();
    expect(inject(ctx as SpanContext)).not.toHaveProperty('tracestate');
  });

  it('§3.2.2.5.2 the random flag survives extract → inject', () => {
    expect(inject(extract({ traceparent: tp('03') }) as SpanContext).traceparent).toBe(tp('03'));
    expect(inject(extract({ traceparent: tp('02') }) as SpanContext).traceparent).toBe(tp('02'));
  });

  it('§3.2.2.5.3 only known flags are written', () => {
    expect(inject({ traceId: T, spanId: S, traceFlags: 0xff }).traceparent).toBe(tp('03'));
  });

  it('§3.3.2 an empty tracestate is not sent', () => {
    expect(inject({ traceId: T, spanId: S, traceFlags: 1, traceState: W3CTraceState.empty() })).toEqual({
      traceparent: tp('01'),
      b3: `${T}-${S}-1`,
    });
  });

  it('rejects without throwing whatever the carrier holds', () => {
    const w3c = new W3CTraceContextPropagator();
    for (const value of [42, {}, null, [tp('01'), 7], Symbol('x')]) {
      expect(() =>
        w3c.extract(ROOT_CONTEXT, {}, { keys: () => [], get: () => value as unknown as string }),
      ).not.toThrow();
    }
  });

  it('a bad traceparent never wipes a good b3', () => {
    const b3 = `${'a'.repeat(32)}-${S}-1`;
    expect(extract({ b3, traceparent: tp('01', 'ff') })).toMatchObject({
      traceId: 'a'.repeat(32),
      spanId: S,
    });
  });
});

describe('W3C round trip through a Fastify server (SDK spans in between)', () => {
  const { tracing, spans, reset } = initInMemoryTracing('w3c-round-trip');
  const app = Fastify();
  // What this service would send downstream: the server span's context, and a child's.
  app.get('/hop', async () => {
    const server: Record<string, string> = {};
    propagation.inject(context.active(), server);
    const child = tracing.span('child', () => tracing.getTraceContext());
    const restarted = tracing.span('restart', { root: true }, () => tracing.getTraceContext());
    return { server, child, restarted };
  });
  tracing.instrumentAll(app);
  afterAll(async () => {
    await app.close();
    await tracing.shutdown();
  });
  beforeEach(reset);

  const hop = async (headers: Record<string, string>) => {
    const response = await app.inject({ url: '/hop', headers });
    expect(response.statusCode).toBe(200);
    return response.json() as Record<'server' | 'child' | 'restarted', Record<string, string>>;
  };
  const fields = (traceparent: string | undefined) => {
    const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent ?? '');
    expect(match, `traceparent ${traceparent}`).not.toBeNull();
    const [, traceId, spanId, flags] = match as RegExpExecArray;
    return { traceId, spanId, flags };
  };

  it.each([
    ['§3.2.2.5.2 random + sampled (03) stays 03', '03', '03'],
    ['§3.2.2.5.2 random, not sampled (02) stays 02', '02', '02'],
    ['§3.2.2.5.2 random unset (01) stays unset', '01', '01'],
    ['§3.2.2.5.2 random unset (00) stays unset', '00', '00'],
    ['§5.1.2 step 2.2 unknown flags are sent as 0', 'ff', '03'],
  ])(
    '%s, with a new parent-id (§3.4), in the server span and its children',
    async (_s, incoming, outgoing) => {
      const body = await hop({ traceparent: tp(incoming) });
      for (const out of [body.server, body.child]) {
        const { traceId, spanId, flags } = fields(out.traceparent);
        expect(traceId).toBe(T);
        expect(spanId).not.toBe(S);
        expect(flags).toBe(outgoing);
      }
    },
  );

  it.each([
    ['§3.2.2.3 / §3.2.2.5.2 a new trace sets the random flag', {}],
    [
      '§5.1.2 step 2.3 an invalid traceparent restarts the trace, random set',
      { traceparent: tp('01', 'ff') },
    ],
    ['§3.4 "Restart trace": a new root under a continued trace sets it', { traceparent: tp('01') }],
  ])('%s', async (section, headers: Record<string, string>) => {
    const body = await hop(headers);
    const out = section.startsWith('§3.4') ? body.restarted : body.server;
    const { traceId, flags } = fields(out.traceparent);
    expect(traceId).not.toBe(T);
    expect(Number.parseInt(flags, 16) & 0x02).toBe(0x02);
  });

  it('§3.2.2.5.2 recorded spans export the random flag with the span context (OTLP flags bits 0-7)', async () => {
    await hop({ traceparent: tp('03') });
    await hop({ traceparent: tp('01') });
    const server = (await spans()).filter((s) => s.name.startsWith('HTTP GET'));
    expect(server.map((s) => s.spanContext().traceFlags).sort()).toEqual([TraceFlags.SAMPLED, 3]);
  });

  it('§3.5 a valid tracestate is passed on unchanged; §3.3 an invalid one is dropped whole', async () => {
    expect((await hop({ traceparent: tp('01'), tracestate: 'foo=1, bar=2' })).server.tracestate).toBe(
      'foo=1,bar=2',
    );
    const dropped = await hop({ traceparent: tp('01'), tracestate: 'foo=1,bar=baz=3' });
    expect(dropped.server).not.toHaveProperty('tracestate');
    expect(fields(dropped.server.traceparent).traceId).toBe(T);
  });
});
