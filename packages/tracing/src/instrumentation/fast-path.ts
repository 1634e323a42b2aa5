import { randomFillSync } from 'node:crypto';
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { type IdGenerator, type Sampler, SamplingDecision } from '@opentelemetry/sdk-trace';
import { getB3Hint } from '../b3.js';
import { CheckedSpanContext, isValidSpanContext } from '../span-context.js';
import { FLAG_RANDOM } from '../w3c-trace-context.js';
import { LeanSpan, type LeanSpanPipeline } from './lean-span.js';

/**
 * The unsampled fast path. Our provider samples with ParentBased(TraceIdRatio(rate)), so for most
 * unsampled spans the outcome is known before the SDK is asked: a child of an unsampled parent is
 * never recorded, and a root is recorded only if its trace id passes the ratio test. For those
 * spans instrumentation makes a non-recording span itself (ids only: what propagation and the
 * `traceresponse` header need) and skips the span name, the attribute object, the SDK's
 * attribute sanitizing and sampler call. Measured in bench/overhead/breakdown.mjs.
 *
 * Only active while the TracingService's own provider is the global one (it sets the hint);
 * with any other provider every span goes through that provider's tracer as usual.
 */
interface SamplingHint {
  /** The root sampler of the registered provider (TraceIdRatioBased). */
  readonly root: Sampler;
  /** Its ratio; 0 and 1 decide without looking at the trace id. */
  readonly rate: number;
  /** The provider's pieces for {@link startInstrumentationSpan}'s spans made without its tracer. */
  readonly pipeline?: LeanSpanPipeline;
}

let hint: SamplingHint | undefined;

/** Called by the TracingService when its provider becomes (or stops being) the global one. */
export function setSamplingHint(next: SamplingHint | undefined): void {
  hint = next;
}

/** Random bytes ids are cut from, refilled from the system CSPRNG when used up… */
const randomPool = Buffer.allocUnsafe(4096);
/** …and the same bytes as lower-case hex: an id is a slice of this string. */
let hexPool = '';
let hexOffset = 0;
/** The all-zero ids: invalid (W3C Trace Context §3.2.2.3, §3.2.2.4). */
const ZERO_IDS = { 8: '0'.repeat(16), 16: '0'.repeat(32) };

/**
 * `bytes` random bytes as lower-case hex, never all zero (W3C Trace Context §3.2.2.3, §3.2.2.4).
 * The pool is hex-encoded once per refill (one native call per 256 to 512 ids) and each id is a
 * slice of that string: V8 makes a slice of 13 characters or more a view onto its parent, so an
 * id costs one small allocation and no copy, about a third of a `toString('hex')` call per id.
 * A retained id keeps its 8 KB parent alive; spans are bounded by the export queue, so are these.
 */
function randomId(bytes: 8 | 16): string {
  const length = bytes * 2;
  if (hexOffset + length > hexPool.length) {
    randomFillSync(randomPool);
    hexPool = randomPool.toString('hex');
    hexOffset = 0;
  }
  const id = hexPool.slice(hexOffset, hexOffset + length);
  hexOffset += length;
  // All zeros (a 2^-64 chance) is the invalid id: draw again.
  return id === ZERO_IDS[bytes] ? randomId(bytes) : id;
}

/**
 * The provider's id generator. A root trace id drawn by {@link unsampledSpan} for its own
 * sampling test is handed to the SDK through `preset`, so a root that passes the test keeps the
 * id it was sampled by (the SDK would otherwise draw a second id and sample again).
 */
class PresetIdGenerator implements IdGenerator {
  preset: string | undefined;

  generateTraceId(): string {
    return this.takePreset() ?? randomId(16);
  }

  /** The trace id a root was just sampled by, once. */
  takePreset(): string | undefined {
    const preset = this.preset;
    this.preset = undefined;
    return preset;
  }

  generateSpanId(): string {
    return randomId(8);
  }
}

/** The id generator the TracingService's provider uses. */
export const idGenerator = new PresetIdGenerator();

/**
 * A non-recording span for a span the sampler is known to drop, or undefined when the SDK must
 * decide (a sampled parent, a root that passes the ratio test, or a provider that is not ours).
 * When undefined is returned for a root, the next trace id the provider draws is the one tested
 * here: call the tracer right away.
 */
export function unsampledSpan(parent: Context): Span | undefined {
  if (hint === undefined) return undefined;
  // B3 ids with a decision (`…-0`, `…-1`, `…-d`, what our own services send) are an ordinary
  // parent, decided here like a traceparent; the other B3 states are the SDK's sampler's.
  if (b3SamplerDecides(parent)) return undefined;
  const parentContext = trace.getSpanContext(parent);
  // A sampled parent (the common case for child spans) is the SDK's to decide: flags first, so
  // it costs no validity check; an invalid one is a root there, as here.
  if (parentContext !== undefined && (parentContext.traceFlags & TraceFlags.SAMPLED) !== 0) return undefined;
  if (parentContext !== undefined && isValidSpanContext(parentContext)) {
    // W3C Level 2 §3.2.2.5: the random trace-id flag travels with the trace id.
    const traceFlags = parentContext.traceFlags & FLAG_RANDOM;
    return trace.wrapSpanContext(
      new CheckedSpanContext(parentContext.traceId, randomId(8), traceFlags, parentContext.traceState),
    );
  }
  if (hint.rate === 1) return undefined;
  const traceId = randomId(16);
  if (
    hint.rate !== 0 &&
    hint.root.shouldSample(ROOT_CONTEXT, traceId, '', SpanKind.SERVER, {}, []).decision !==
      SamplingDecision.NOT_RECORD
  ) {
    idGenerator.preset = traceId;
    return undefined;
  }
  // A new trace: its id is random, so the random trace-id flag is set (W3C Level 2 §3.2.2.5).
  return trace.wrapSpanContext(new CheckedSpanContext(traceId, randomId(8), FLAG_RANDOM));
}

/**
 * True when a span started in `ctx` is known not to be recorded: the active span is a valid
 * unsampled one (ParentBased sampling drops its children). Cheap: no allocation.
 */
export function parentNotSampled(ctx: Context): boolean {
  const spanContext = trace.getSpanContext(ctx);
  if (spanContext === undefined) return false;
  // Flags first: the validity check is needed only for unsampled parents.
  return (spanContext.traceFlags & TraceFlags.SAMPLED) === 0 && isValidSpanContext(spanContext);
}

/**
 * Start a span of our own instrumentation (scope `scopeName`) in `parent`: a {@link LeanSpan}
 * when the outcome is known to be "record and sample" (a valid sampled parent, or a root that
 * {@link unsampledSpan} has just let through), through `tracer` otherwise (another provider,
 * suppressed tracing, B3 states the sampler decides). Call it right after `unsampledSpan`
 * returned undefined, with the attributes the span starts with (taken over, not copied).
 */
export function startInstrumentationSpan(
  tracer: Tracer,
  scopeName: string,
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  parent: Context,
): Span {
  const pipeline = hint?.pipeline;
  const known = pipeline === undefined ? undefined : sampledSpanContext(parent);
  if (pipeline === undefined || known === undefined)
    return tracer.startSpan(name, { kind, attributes }, parent);
  return new LeanSpan(pipeline, known.context, known.parent, name, kind, attributes, scopeName, parent);
}

/**
 * The span context of a span started in `parent` that the provider's sampler is known to record
 * and sample, with the parent's span context when it continues a trace; undefined when the SDK
 * must decide (suppressed tracing, B3 states the sampler decides, an unsampled parent, a root the
 * fast path did not let through).
 */
function sampledSpanContext(parent: Context): { context: SpanContext; parent?: SpanContext } | undefined {
  if (isTracingSuppressed(parent) || b3SamplerDecides(parent)) return undefined;
  const parentContext = trace.getSpanContext(parent);
  if (parentContext !== undefined && isValidSpanContext(parentContext)) {
    if ((parentContext.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
    // W3C Level 2 §3.2.2.5: the random trace-id flag travels with the trace id.
    const traceFlags = TraceFlags.SAMPLED | (parentContext.traceFlags & FLAG_RANDOM);
    const { traceId, traceState } = parentContext;
    const context = new CheckedSpanContext(traceId, randomId(8), traceFlags, traceState);
    return { context, parent: parentContext };
  }
  // A root: sampled at rate 1, or when unsampledSpan has just let its trace id through.
  const preset = idGenerator.takePreset();
  if (preset === undefined && hint?.rate !== 1) return undefined;
  // A new trace: its id is random (W3C Level 2 §3.2.2.5).
  const traceId = preset ?? randomId(16);
  return { context: new CheckedSpanContext(traceId, randomId(8), TraceFlags.SAMPLED | FLAG_RANDOM) };
}

/**
 * A B3 sampling state the span context cannot carry (a lone `b3: 1|0|d`, or ids with a deferred
 * decision): the provider's B3-aware sampler decides those, not ParentBased(ratio).
 */
function b3SamplerDecides(parent: Context): boolean {
  const b3 = getB3Hint(parent);
  return b3 !== undefined && (b3.traceId === undefined || b3.state === 'defer');
}
