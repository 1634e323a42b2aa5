import {
  type Attributes,
  type AttributeValue,
  type Context,
  diag,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanAttributes,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
} from '@opentelemetry/api';
import {
  hrTime,
  hrTimeDuration,
  type InstrumentationScope,
  isAttributeValue,
  isTimeInput,
  isTimeInputHrTime,
  millisToHrTime,
  sanitizeAttributes,
} from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanLimits, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';

/**
 * The recording span our own instrumentation (server, fetch, Redis) makes when the
 * TracingService's provider is the global one and the sampling outcome is already known
 * (fast-path.ts decides it). It behaves as the SDK's span does: the same ReadableSpan fields,
 * time base (epoch milliseconds at start plus the monotonic duration), limits, status and
 * exception rules, and it goes through the provider's span processors at start and end. What it
 * leaves out is the SDK tracer's per-span overhead that buys nothing for attributes we build
 * ourselves: sanitizing them twice in `Tracer.startSpan` and validating them a third time in the
 * span, parent checks by regex, the sampler chain (its answer is known), tracer metrics (a no-op
 * meter here) and the random-flag wrapper. Attributes set later through the Span API (a user's
 * `requestAttributes`, error recording) are validated exactly as the SDK validates them.
 */

/** What a lean span needs of the provider that would otherwise have made it. */
export interface LeanSpanPipeline {
  readonly resource: Resource;
  readonly processors: readonly SpanProcessor[];
  readonly limits: Required<SpanLimits>;
  /** The instrumentation scope of the tracer named `name`, as the provider's tracer has it. */
  scope(name: string): InstrumentationScope;
}

/** The exception event (OpenTelemetry "Exceptions" semantic conventions), as the SDK names it. */
const EXCEPTION_EVENT = 'exception';
const ATTR_EXCEPTION_TYPE = 'exception.type';
const ATTR_EXCEPTION_MESSAGE = 'exception.message';
const ATTR_EXCEPTION_STACKTRACE = 'exception.stacktrace';
const NO_DURATION: HrTime = [-1, -1];
// Shared until replaced: a span that records no event, link or status (most of them) allocates
// none of these. Frozen, so a reader cannot change what other spans see.
const NOT_ENDED: HrTime = Object.freeze([0, 0]) as unknown as HrTime;
const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const NO_EVENTS: TimedEvent[] = Object.freeze([]) as unknown as TimedEvent[];
const NO_LINKS: Link[] = Object.freeze([]) as unknown as Link[];
const NANOS_PER_SECOND = 1e9;

/**
 * `start` plus `elapsedMs`: what `addHrTimes(start, millisToHrTime(elapsedMs))` returns, the SDK's
 * end time, in one array instead of two.
 */
function hrTimeAfter(start: HrTime, elapsedMs: number): HrTime {
  let seconds = start[0] + Math.trunc(elapsedMs / 1000);
  let nanos = start[1] + Math.round((elapsedMs % 1000) * 1e6);
  if (nanos >= NANOS_PER_SECOND) {
    nanos -= NANOS_PER_SECOND;
    seconds += 1;
  }
  return [seconds, nanos];
}

export class LeanSpan implements Span, ReadableSpan {
  readonly startTime: HrTime;
  endTime: HrTime = NOT_ENDED;
  status: SpanStatus = UNSET_STATUS;
  events: TimedEvent[] = NO_EVENTS;
  links: Link[] = NO_LINKS;
  readonly instrumentationScope: InstrumentationScope;
  readonly resource: Resource;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  private attributeCount: number;
  private ended_ = false;
  private duration_: HrTime = NO_DURATION;
  private readonly performanceStart: number;
  /** Epoch ms minus performance time at start (the SDK's correction for performance timestamps). */
  private readonly performanceOffset: number;

  /**
   * `attributes` is taken over, not copied: pass a fresh object of valid attribute values (what
   * our instrumentation builds). Strings are still cut to the value length limit, and the count
   * limit still applies.
   */
  constructor(
    private readonly pipeline: LeanSpanPipeline,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    public name: string,
    readonly kind: SpanKind,
    readonly attributes: Attributes,
    scopeName: string,
    parentContext: Context,
  ) {
    // The SDK's time base: start at epoch milliseconds, end = start + monotonic duration.
    const now = Date.now();
    this.performanceStart = performance.now();
    this.performanceOffset = now - (this.performanceStart + performance.timeOrigin);
    this.startTime = millisToHrTime(now);
    this.instrumentationScope = pipeline.scope(scopeName);
    this.resource = pipeline.resource;
    this.attributeCount = this.applyLimitsToOwnAttributes();
    for (const processor of pipeline.processors) processor.onStart(this as never, parentContext);
  }

  spanContext(): SpanContext {
    return this.context;
  }

  get ended(): boolean {
    return this.ended_;
  }

  get duration(): HrTime {
    return this.duration_;
  }

  isRecording(): boolean {
    return !this.ended_;
  }

  setAttribute(key: string, value: SpanAttributes[string]): this {
    if (value == null || this.ended_) return this;
    if (key.length === 0) {
      diag.warn(`Invalid attribute key: ${key}`);
      return this;
    }
    if (!isAttributeValue(value)) {
      diag.warn(`Invalid attribute value set for key: ${key}`);
      return this;
    }
    const isNew = !Object.hasOwn(this.attributes, key);
    if (isNew && this.attributeCount >= this.pipeline.limits.attributeCountLimit) {
      this.droppedAttributesCount++;
      return this;
    }
    this.attributes[key] = this.truncate(value);
    if (isNew) this.attributeCount++;
    return this;
  }

  setAttributes(attributes: SpanAttributes): this {
    for (const key in attributes) {
      if (Object.hasOwn(attributes, key)) this.setAttribute(key, attributes[key]);
    }
    return this;
  }

  addEvent(name: string, attributesOrTime?: SpanAttributes | TimeInput, time?: TimeInput): this {
    if (this.ended_) return this;
    const { eventCountLimit, attributePerEventCountLimit } = this.pipeline.limits;
    if (eventCountLimit === 0) {
      this.droppedEventsCount++;
      return this;
    }
    if (this.events.length >= eventCountLimit) {
      this.events.shift();
      this.droppedEventsCount++;
    }
    let attributes: SpanAttributes | undefined;
    if (isTimeInput(attributesOrTime)) {
      if (!isTimeInput(time)) time = attributesOrTime;
    } else {
      attributes = attributesOrTime;
    }
    const limited = this.limitAttributes(sanitizeAttributes(attributes), attributePerEventCountLimit);
    if (this.events === NO_EVENTS) this.events = [];
    this.events.push({
      name,
      attributes: limited.attributes,
      time: this.timeOf(time),
      droppedAttributesCount: limited.dropped,
    });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended_) return this;
    const { linkCountLimit, attributePerLinkCountLimit } = this.pipeline.limits;
    if (linkCountLimit === 0) {
      this.droppedLinksCount++;
      return this;
    }
    if (this.links.length >= linkCountLimit) {
      this.links.shift();
      this.droppedLinksCount++;
    }
    const limited = this.limitAttributes(sanitizeAttributes(link.attributes), attributePerLinkCountLimit);
    const kept: Link = { context: link.context };
    if (limited.count > 0) kept.attributes = limited.attributes;
    if (limited.dropped > 0) kept.droppedAttributesCount = limited.dropped;
    if (this.links === NO_LINKS) this.links = [];
    this.links.push(kept);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.ended_ || status.code === SpanStatusCode.UNSET) return this;
    // OK is final (trace API "Set Status": later calls are ignored).
    if (this.status.code === SpanStatusCode.OK) return this;
    const next: SpanStatus = { code: status.code };
    if (status.code === SpanStatusCode.ERROR && typeof status.message === 'string') {
      next.message = status.message;
    }
    this.status = next;
    return this;
  }

  updateName(name: string): this {
    if (!this.ended_) this.name = name;
    return this;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: SpanAttributes = {};
    if (typeof exception === 'string') {
      attributes[ATTR_EXCEPTION_MESSAGE] = exception;
    } else if (exception) {
      if (exception.code) attributes[ATTR_EXCEPTION_TYPE] = exception.code.toString();
      else if (exception.name) attributes[ATTR_EXCEPTION_TYPE] = exception.name;
      if (exception.message) attributes[ATTR_EXCEPTION_MESSAGE] = exception.message;
      if (exception.stack) attributes[ATTR_EXCEPTION_STACKTRACE] = exception.stack;
    }
    if (attributes[ATTR_EXCEPTION_TYPE] || attributes[ATTR_EXCEPTION_MESSAGE]) {
      this.addEvent(EXCEPTION_EVENT, attributes, time);
    }
  }

  end(endTime?: TimeInput): void {
    if (this.ended_) {
      diag.error(
        `${this.name} ${this.context.traceId}-${this.context.spanId} - You can only call end() on a span once.`,
      );
      return;
    }
    this.endTime = this.timeOf(endTime);
    this.duration_ = hrTimeDuration(this.startTime, this.endTime);
    if (this.duration_[0] < 0) {
      this.endTime = this.startTime.slice() as HrTime;
      this.duration_ = [0, 0];
    }
    for (const processor of this.pipeline.processors) processor.onEnding?.(this as never);
    this.ended_ = true;
    for (const processor of this.pipeline.processors) processor.onEnd(this);
  }

  /** A timestamp as the SDK reads one: performance time, epoch ms, Date, HrTime, or now. */
  private timeOf(input: TimeInput | undefined): HrTime {
    if (typeof input === 'number') {
      // A number not after performance.now() is a performance timestamp; anything else epoch ms.
      if (input <= performance.now()) return hrTime(input + this.performanceOffset);
      return millisToHrTime(input);
    }
    if (input instanceof Date) return millisToHrTime(input.getTime());
    if (isTimeInputHrTime(input)) return input;
    return hrTimeAfter(this.startTime, performance.now() - this.performanceStart);
  }

  private truncate(value: AttributeValue): AttributeValue {
    const limit = this.pipeline.limits.attributeValueLengthLimit;
    if (limit === Number.POSITIVE_INFINITY || limit <= 0) return value;
    if (typeof value === 'string') return value.length > limit ? value.slice(0, limit) : value;
    if (Array.isArray(value)) {
      return value.map((item) =>
        typeof item === 'string' && item.length > limit ? item.slice(0, limit) : item,
      ) as AttributeValue;
    }
    return value;
  }

  /** The constructor's attributes, brought within the limits in place; returns their count. */
  private applyLimitsToOwnAttributes(): number {
    const { attributeCountLimit, attributeValueLengthLimit } = this.pipeline.limits;
    let count = 0;
    const truncating =
      attributeValueLengthLimit !== Number.POSITIVE_INFINITY && attributeValueLengthLimit > 0;
    for (const key in this.attributes) {
      if (count >= attributeCountLimit) {
        delete this.attributes[key];
        this.droppedAttributesCount++;
        continue;
      }
      if (truncating) this.attributes[key] = this.truncate(this.attributes[key] as AttributeValue);
      count++;
    }
    return count;
  }

  private limitAttributes(
    attributes: Attributes,
    limit: number,
  ): { attributes: Attributes; count: number; dropped: number } {
    const kept: Attributes = {};
    let count = 0;
    let dropped = 0;
    for (const key in attributes) {
      if (!Object.hasOwn(attributes, key)) continue;
      if (count >= limit) {
        dropped++;
        continue;
      }
      kept[key] = this.truncate(attributes[key] as AttributeValue);
      count++;
    }
    return { attributes: kept, count, dropped };
  }
}
