import {
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { isLowerHex, isNonZeroLowerHex, trimOws } from './hex.js';
import { CheckedSpanContext, isValidSpanContext } from './span-context.js';
import { W3CTraceState } from './tracestate.js';

/**
 * W3C Trace Context Level 2 (https://www.w3.org/TR/trace-context-2/). Section numbers in the
 * comments are the Level 2 document's.
 */

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

/** §3.2.2.5.1 sampled flag. */
export const FLAG_SAMPLED = 0x01;
/** §3.2.2.5.2 random trace id flag: at least the right-most 7 bytes of the trace id are random. */
export const FLAG_RANDOM = 0x02;
/**
 * The flags this implementation knows. §5.1.2 step 2.2: "Vendors will set all unparsed /
 * unknown trace-flags to 0 on outgoing requests", so other bits are dropped on extraction.
 */
export const KNOWN_FLAGS = FLAG_SAMPLED | FLAG_RANDOM;

/** The parts of a valid traceparent, flags already reduced to {@link KNOWN_FLAGS}. */
export interface Traceparent {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

/**
 * Parse a `traceparent` value; `undefined` when it must be ignored.
 *
 * - OWS around the value is ignored (RFC 9110 §5.5; §3.2.2 defines the value without it).
 * - version: 2 lower-hex, `ff` forbidden (§3.2.2.1).
 * - version `00`: exactly `00-{32 hex}-{16 hex}-{2 hex}`, nothing after (§3.2.2.2).
 * - a higher version: at least 55 characters, the same three fields, and the flags followed
 *   either by the end or by `-` (§3.2.4 "Versioning of traceparent"); the rest is not parsed.
 * - trace-id and parent-id: lower-hex only, not all zeros (§3.2.2.3, §3.2.2.4).
 */
export function parseTraceparent(header: string): Traceparent | undefined {
  const value = trimOws(header);
  if (value.length < 55) return undefined;
  if (!isLowerHex(value, 0, 2) || value.startsWith('ff')) return undefined;
  if (value.startsWith('00') && value.length !== 55) return undefined;
  if (value.length > 55 && value[55] !== '-') return undefined;
  if (value[2] !== '-' || value[35] !== '-' || value[52] !== '-') return undefined;
  // Checked in place, character by character: this runs on every incoming request.
  if (!isNonZeroLowerHex(value, 3, 35) || !isNonZeroLowerHex(value, 36, 52)) return undefined;
  if (!isLowerHex(value, 53, 55)) return undefined;
  return {
    traceId: value.slice(3, 35),
    spanId: value.slice(36, 52),
    traceFlags: Number.parseInt(value.slice(53, 55), 16) & KNOWN_FLAGS,
  };
}

/** `00-{traceId}-{spanId}-{flags}` with only the known flags (§3.2.2.5.3, §5.1.2 step 2.2). */
export function formatTraceparent(spanContext: SpanContext): string {
  const flags = spanContext.traceFlags & KNOWN_FLAGS;
  return `00-${spanContext.traceId}-${spanContext.spanId}-0${flags.toString(16)}`;
}

/** First value of a header as one string; repeated fields joined with `,` (RFC 9110 §5.3). */
function readHeader(getter: TextMapGetter, carrier: unknown, name: string): string | undefined {
  const value = getter.get(carrier, name);
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(',');
  return typeof value === 'string' ? value : undefined;
}

/**
 * `traceparent` + `tracestate` propagator, Level 2 strict.
 *
 * Extraction leaves the context untouched when `traceparent` is absent or invalid (so another
 * format's context, e.g. B3's, stays), and never reads `tracestate` then (§3.3 "If the vendor
 * failed to parse traceparent, it MUST NOT attempt to parse tracestate"). An invalid tracestate
 * is dropped as a whole; the traceparent still counts (§3.3 "failure to parse tracestate MUST
 * NOT affect the parsing of traceparent"). The random flag (0x02) is kept in the span context's
 * `traceFlags`, so the SDK-side {@link FLAG_RANDOM} handling can carry it to children.
 */
export class W3CTraceContextPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (!spanContext || isTracingSuppressed(context) || !isValidSpanContext(spanContext)) return;
    setter.set(carrier, TRACEPARENT_HEADER, formatTraceparent(spanContext));
    // §3.3.2 "Vendors MUST accept empty tracestate headers but SHOULD avoid sending them."
    const state = spanContext.traceState?.serialize();
    if (state) setter.set(carrier, TRACESTATE_HEADER, state);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const header = readHeader(getter, carrier, TRACEPARENT_HEADER);
    if (header === undefined) return context;
    const parsed = parseTraceparent(header);
    if (!parsed) return context;
    const stateHeader = readHeader(getter, carrier, TRACESTATE_HEADER);
    const state = stateHeader === undefined ? undefined : W3CTraceState.parse(stateHeader);
    const traceState = state && state.size > 0 ? state : undefined;
    // parseTraceparent checked both ids.
    const { traceId, spanId, traceFlags } = parsed;
    return trace.setSpanContext(
      context,
      new CheckedSpanContext(traceId, spanId, traceFlags, traceState, true),
    );
  }

  fields(): string[] {
    return [TRACEPARENT_HEADER, TRACESTATE_HEADER];
  }
}
