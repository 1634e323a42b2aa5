import {
  type Context,
  createContextKey,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { isNonZeroLowerHex, trimOws } from './hex.js';
import { CheckedSpanContext, isValidSpanContext } from './span-context.js';

/**
 * B3 propagation exactly as https://github.com/openzipkin/b3-propagation (README) specifies.
 * Comments cite the README's section names.
 */

/**
 * Which B3 encodings `inject` writes. Extraction always reads both; `none` writes neither (W3C
 * Trace Context alone on the wire, for services that all read it: one header fewer per request).
 */
export type B3InjectMode = 'single' | 'multi' | 'both' | 'none';

/** "Sampling State": Defer is the absence of a decision. */
export type B3SamplingState = 'accept' | 'deny' | 'debug' | 'defer';

/** What one B3 header set carried. Ids are absent when only a sampling state was sent. */
export interface B3Fields {
  /** 32 lower-hex; a 64-bit id is left-padded with zeros. */
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  state: B3SamplingState;
}

/**
 * The B3 sampling state that came with the request, kept in the context next to the span
 * context (which can only say sampled or not). `traceId` is absent for a sampling-only header.
 * Read by {@link createB3AwareSampler} (sampling-only and deferred decisions) and by `inject`
 * (debug).
 */
export interface B3Hint {
  traceId?: string;
  state: B3SamplingState;
}

const B3_HINT_KEY = createContextKey('autobot.b3.sampling-state');

export const B3_SINGLE_HEADER = 'b3';
export const B3_TRACE_ID_HEADER = 'x-b3-traceid';
export const B3_SPAN_ID_HEADER = 'x-b3-spanid';
export const B3_PARENT_SPAN_ID_HEADER = 'x-b3-parentspanid';
export const B3_SAMPLED_HEADER = 'x-b3-sampled';
export const B3_FLAGS_HEADER = 'x-b3-flags';

const DASH = 0x2d;

/** "Sampling State" of the single header: `0` deny, `1` accept, `d` debug. */
function singleState(char: string | undefined): B3SamplingState | undefined {
  if (char === '1') return 'accept';
  if (char === '0') return 'deny';
  return char === 'd' ? 'debug' : undefined;
}

/** "SpanId": 16 lower-hex, not all zeros. */
function isSpanId(value: string): boolean {
  return value.length === 16 && isNonZeroLowerHex(value, 0, 16);
}

/** "TraceId": 64-bit ids are carried as 32 hex, left-padded with zeros. */
function padTraceId(traceId: string): string {
  return traceId.length === 16 ? `0000000000000000${traceId}` : traceId;
}

/**
 * Parse a `b3` single header value; `undefined` when malformed. "Single Header":
 * `{TraceId}-{SpanId}[-{SamplingState}[-{ParentSpanId}]]` (trace id 32 or 16 lower-hex, span ids
 * 16 lower-hex, sampling `0|1|d`), or the sampling state alone; nothing before or after.
 * Surrounding OWS is not part of an HTTP field value (RFC 9110 §5.5) and is ignored. All-zero
 * ids are rejected (an all-zero id is the "invalid" id in every tracer, and cannot be sent on as
 * a traceparent). Parsed by position, character by character: it runs on every request.
 */
export function parseB3Single(header: string): B3Fields | undefined {
  const value = trimOws(header);
  const length = value.length;
  if (length === 1) {
    const state = singleState(value);
    return state === undefined ? undefined : { state };
  }
  const traceEnd = value.charCodeAt(16) === DASH ? 16 : 32;
  const spanEnd = traceEnd + 17;
  // Ids only, ids + sampling state (2 more), or ids + state + parent span id (19 more).
  if (length !== spanEnd && length !== spanEnd + 2 && length !== spanEnd + 19) return undefined;
  if (value.charCodeAt(traceEnd) !== DASH) return undefined;
  if (!isNonZeroLowerHex(value, 0, traceEnd) || !isNonZeroLowerHex(value, traceEnd + 1, spanEnd)) {
    return undefined;
  }
  const traceId = padTraceId(value.slice(0, traceEnd));
  const spanId = value.slice(traceEnd + 1, spanEnd);
  if (length === spanEnd) return { traceId, spanId, state: 'defer' };
  const state = value.charCodeAt(spanEnd) === DASH ? singleState(value[spanEnd + 1]) : undefined;
  if (state === undefined) return undefined;
  if (length === spanEnd + 2) return { traceId, spanId, state };
  if (value.charCodeAt(spanEnd + 2) !== DASH || !isNonZeroLowerHex(value, spanEnd + 3, length)) {
    return undefined;
  }
  return { traceId, spanId, parentSpanId: value.slice(spanEnd + 3), state };
}

/**
 * Parse the `X-B3-*` headers; `undefined` when none is present or the set is malformed.
 * `read` returns a header's raw value by lower-case name.
 *
 * - "Multiple Headers": "When extracting state headers, the first value wins" — of a repeated
 *   header (joined with `,` by HTTP stacks) only the first value is read.
 * - "TraceId"/"SpanId": both required unless only a sampling state is sent; 32 or 16 lower-hex
 *   and 16 lower-hex.
 * - "ParentSpanId": 16 lower-hex, only next to ids.
 * - "Sampling State": `1` accept, `0` deny, absent defer; `true`/`false` accepted (the README's
 *   "a lenient implementation may accept them"); anything else, including empty, is malformed.
 * - "Debug Flag": `X-B3-Flags: 1` is debug, which implies accept; "Absent or any other value can
 *   be ignored".
 */
export function parseB3Multi(read: (name: string) => string | undefined): B3Fields | undefined {
  const first = (name: string) => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    const comma = raw.indexOf(',');
    return trimOws(comma === -1 ? raw : raw.slice(0, comma));
  };
  const traceId = first(B3_TRACE_ID_HEADER);
  const spanId = first(B3_SPAN_ID_HEADER);
  const parentSpanId = first(B3_PARENT_SPAN_ID_HEADER);
  const sampled = first(B3_SAMPLED_HEADER);
  const debug = first(B3_FLAGS_HEADER) === '1';
  if (traceId === undefined && spanId === undefined && parentSpanId === undefined && sampled === undefined) {
    return debug ? { state: 'debug' } : undefined;
  }
  let state: B3SamplingState;
  if (sampled === undefined) state = 'defer';
  else if (sampled === '1' || sampled === 'true') state = 'accept';
  else if (sampled === '0' || sampled === 'false') state = 'deny';
  else return undefined;
  if (debug) state = 'debug';
  if (traceId === undefined && spanId === undefined) {
    // "Sampling State" alone: a predefined decision without identifiers.
    return parentSpanId === undefined && state !== 'defer' ? { state } : undefined;
  }
  if (traceId === undefined || spanId === undefined) return undefined;
  if (traceId.length !== 16 && traceId.length !== 32) return undefined;
  if (!isNonZeroLowerHex(traceId, 0, traceId.length) || !isSpanId(spanId)) return undefined;
  if (parentSpanId !== undefined && !isSpanId(parentSpanId)) return undefined;
  return {
    traceId: padTraceId(traceId),
    spanId,
    ...(parentSpanId === undefined ? {} : { parentSpanId }),
    state,
  };
}

/** The B3 sampling state extracted into `context`, if any. */
export function getB3Hint(context: Context): B3Hint | undefined {
  return context.getValue(B3_HINT_KEY) as B3Hint | undefined;
}

function readHeader(getter: TextMapGetter, carrier: unknown, name: string): string | undefined {
  const value = getter.get(carrier, name);
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(',');
  return typeof value === 'string' ? value : undefined;
}

/**
 * B3 single + multi header propagator.
 *
 * Extraction: "The single-header variant takes precedence over the multiple header one"; an
 * invalid `b3` falls back to valid `X-B3-*`. With ids, the context gets a remote span context
 * (sampled for accept and debug) and a {@link B3Hint}; a sampling state alone only adds the
 * hint, which the sampler uses for a new root. Anything malformed returns `context` unchanged,
 * so it never disturbs what another format extracted.
 *
 * Injection: `b3: {traceid}-{spanid}-{1|0|d}` and/or `X-B3-TraceId`, `X-B3-SpanId` with
 * `X-B3-Sampled: 1|0`, or `X-B3-Flags: 1` instead of `X-B3-Sampled` for debug ("Debug implies an
 * accept decision, so don't also send the X-B3-Sampled header"). Debug is written when the
 * extracted hint said debug for this trace (or came without ids) and the span is sampled, so
 * debug survives the hop.
 */
export class B3Propagator implements TextMapPropagator {
  private readonly single: boolean;
  private readonly multi: boolean;

  constructor(inject: B3InjectMode = 'single') {
    this.single = inject === 'single' || inject === 'both';
    this.multi = inject === 'multi' || inject === 'both';
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    if (!this.single && !this.multi) return;
    const spanContext = trace.getSpanContext(context);
    if (!spanContext || isTracingSuppressed(context) || !isValidSpanContext(spanContext)) return;
    const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
    const hint = getB3Hint(context);
    const debug =
      sampled &&
      hint?.state === 'debug' &&
      (hint.traceId === undefined || hint.traceId === spanContext.traceId);
    if (this.single) {
      const state = debug ? 'd' : sampled ? '1' : '0';
      setter.set(carrier, B3_SINGLE_HEADER, `${spanContext.traceId}-${spanContext.spanId}-${state}`);
    }
    if (this.multi) {
      setter.set(carrier, B3_TRACE_ID_HEADER, spanContext.traceId);
      setter.set(carrier, B3_SPAN_ID_HEADER, spanContext.spanId);
      if (debug) setter.set(carrier, B3_FLAGS_HEADER, '1');
      else setter.set(carrier, B3_SAMPLED_HEADER, sampled ? '1' : '0');
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const single = readHeader(getter, carrier, B3_SINGLE_HEADER);
    const fields =
      (single === undefined ? undefined : parseB3Single(single)) ??
      parseB3Multi((name) => readHeader(getter, carrier, name));
    if (!fields) return context;
    const hint: B3Hint =
      fields.traceId === undefined
        ? { state: fields.state }
        : { traceId: fields.traceId, state: fields.state };
    let result = context.setValue(B3_HINT_KEY, hint);
    if (fields.traceId !== undefined && fields.spanId !== undefined) {
      const sampled = fields.state === 'accept' || fields.state === 'debug';
      // parseB3Single / parseB3Multi checked both ids.
      const traceFlags = sampled ? TraceFlags.SAMPLED : TraceFlags.NONE;
      result = trace.setSpanContext(
        result,
        new CheckedSpanContext(fields.traceId, fields.spanId, traceFlags, undefined, true),
      );
    }
    return result;
  }

  fields(): string[] {
    const names: string[] = [];
    if (this.single) names.push(B3_SINGLE_HEADER);
    if (this.multi) names.push(B3_TRACE_ID_HEADER, B3_SPAN_ID_HEADER, B3_SAMPLED_HEADER, B3_FLAGS_HEADER);
    return names;
  }
}
