import type { Attributes, SpanEvent, SpanInput, SpanLink } from '../model.js';
import { checkCounts, SpanRejection } from './decode-common.js';
import { ProtobufFieldReader } from './protobuf-fields.js';
import { countOf, firstOf, highOf, lowOf, Msg, nextField, startOf } from './wire-schema.js';

/** Spans, their events and links, read in place (see decode-protobuf.ts). */
export class ProtobufSpanReader extends ProtobufFieldReader {
  /** One span in `[start, end)`; throws `SpanRejection` when it fails validation. */
  protected span(start: number, end: number): SpanInput {
    const s = this.scan(Msg.Span, start, end, 3);
    checkCounts(countOf(s, 9), countOf(s, 11), countOf(s, 13), this.limits);
    const startLow = lowOf(s, 7);
    const startHigh = highOf(s, 7);
    const endLow = lowOf(s, 8);
    const endHigh = highOf(s, 8);
    // high * 2^32 + low, with 2^32 = 4294967 * 1000 + 296: exact while the microseconds fit 2^53.
    const startLowNs = startHigh * 296 + startLow;
    const startCarry = Math.floor(startLowNs / 1000);
    const startUs = startHigh * 4294967 + startCarry;
    const startNsRem = startLowNs - startCarry * 1000;
    const endLowNs = endHigh * 296 + endLow;
    const endCarry = Math.floor(endLowNs / 1000);
    const durationNs = Math.max(
      0,
      (endHigh * 4294967 + endCarry - startUs) * 1000 + (endLowNs - endCarry * 1000 - startNsRem),
    );
    const durationUs = Math.floor(durationNs / 1000);
    const traceId = this.traceId(s, 1, 'trace_id');
    const spanId = this.id(s, 2, 8, 'span_id', false);
    const parentSpanId = this.id(s, 4, 8, 'parent_span_id', true);
    const traceState = this.text(s, 3, 'the trace state');
    const name = this.cachedText(s[4 * 5] as number, s[4 * 5 + 1] as number, 'the span name');
    const kind = lowOf(s, 6) | 0;
    if (kind < 0 || kind > 5) throw new SpanRejection(`invalid span kind ${kind}`);
    let statusCode = 0;
    let statusMessage = '';
    if (startOf(s, 15) >= 0) {
      const status = this.record(Msg.Status);
      statusCode = lowOf(status, 3) | 0;
      if (statusCode < 0 || statusCode > 2) throw new SpanRejection(`invalid status code ${statusCode}`);
      statusMessage = this.text(status, 2, 'the status message');
    }
    const attributes: Attributes = {};
    this.attributes(attributes, Msg.Span, 9, s, end);
    const events: SpanEvent[] = [];
    this.each(s, 11, end, events, this.event);
    const links: SpanLink[] = [];
    this.each(s, 13, end, links, this.link);
    return {
      traceId,
      spanId,
      parentSpanId,
      traceState,
      name,
      kind,
      startUs,
      durationUs,
      startNsRem,
      durationNsRem: durationNs - durationUs * 1000,
      statusCode,
      statusMessage,
      attributes,
      events,
      links,
      flags: lowOf(s, 16),
      droppedAttributesCount: lowOf(s, 10),
      droppedEventsCount: lowOf(s, 12),
      droppedLinksCount: lowOf(s, 14),
    };
  }

  /**
   * Reads each field `n` (repeated, a message) of the span scanned into `s`, ending at `end`, with
   * `read` into `out`.
   */
  private each<T>(
    s: Int32Array,
    n: number,
    end: number,
    out: T[],
    read: (start: number, end: number) => T,
  ): void {
    if (countOf(s, n) === 0) return;
    const r = this.r;
    r.pos = firstOf(s, n);
    for (let itemEnd = nextField(r, Msg.Span, n, end, 1); itemEnd >= 0; ) {
      out.push(read.call(this, r.pos, itemEnd));
      r.pos = itemEnd;
      itemEnd = nextField(r, Msg.Span, n, end, 1);
    }
  }

  protected event(start: number, end: number): SpanEvent {
    const e = this.scan(Msg.Event, start, end, 4);
    const low = lowOf(e, 1);
    const high = highOf(e, 1);
    const lowNs = high * 296 + low;
    const carry = Math.floor(lowNs / 1000);
    const name = this.text(e, 2, 'an event name');
    const dropped = lowOf(e, 4);
    const attributes: Attributes = {};
    this.attributes(attributes, Msg.Event, 3, e, end);
    const event: SpanEvent = {
      timeUs: high * 4294967 + carry,
      timeNsRem: lowNs - carry * 1000,
      name,
      attributes,
    };
    if (dropped !== 0) event.droppedAttributesCount = dropped;
    return event;
  }

  protected link(start: number, end: number): SpanLink {
    const l = this.scan(Msg.Link, start, end, 4);
    const flags = lowOf(l, 6);
    const dropped = lowOf(l, 5);
    const link: SpanLink = {
      traceId: this.traceId(l, 1, 'link trace_id'),
      spanId: this.id(l, 2, 8, 'link span_id', false),
      traceState: this.text(l, 3, 'a link trace state') || undefined,
      attributes: {},
    };
    this.attributes(link.attributes, Msg.Link, 4, l, end);
    if (flags !== 0) link.flags = flags;
    if (dropped !== 0) link.droppedAttributesCount = dropped;
    return link;
  }
}
