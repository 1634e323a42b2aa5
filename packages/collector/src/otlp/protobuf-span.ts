import type { Attributes, SpanEvent, SpanInput, SpanLink } from '../model.js';
import { checkCounts, SpanRejection } from './decode-common.js';
import { ProtobufFieldReader } from './protobuf-fields.js';
import { checkMessage, Msg, skipField } from './wire-schema.js';

/** Spans, their events and links, read in place (see decode-protobuf.ts). */
export class ProtobufSpanReader extends ProtobufFieldReader {
  /** One span in `[start, end)`; throws `SpanRejection` when it fails validation. */
  protected span(start: number, end: number): SpanInput {
    const r = this.r;
    r.pos = start;
    let traceStart = -1;
    let traceEnd = -1;
    let spanStart = -1;
    let spanEnd = -1;
    let stateStart = -1;
    let stateEnd = -1;
    let parentStart = -1;
    let parentEnd = -1;
    let nameStart = -1;
    let nameEnd = -1;
    let kind = 0;
    let startLow = 0;
    let startHigh = 0;
    let endLow = 0;
    let endHigh = 0;
    let statusStart = -1;
    let statusEnd = -1;
    let flags = 0;
    let droppedAttributes = 0;
    let droppedEvents = 0;
    let droppedLinks = 0;
    let attrCount = 0;
    let firstAttr = -1;
    let eventCount = 0;
    let firstEvent = -1;
    let linkCount = 0;
    let firstLink = -1;
    while (r.pos < end) {
      const tagAt = r.pos;
      const tag = r.varint32(end);
      switch (tag >>> 3) {
        case 1:
          traceEnd = r.lengthEnd(end);
          traceStart = r.pos;
          r.pos = traceEnd;
          break;
        case 2:
          spanEnd = r.lengthEnd(end);
          spanStart = r.pos;
          r.pos = spanEnd;
          break;
        case 3:
          stateEnd = r.lengthEnd(end);
          stateStart = r.pos;
          r.pos = stateEnd;
          break;
        case 4:
          parentEnd = r.lengthEnd(end);
          parentStart = r.pos;
          r.pos = parentEnd;
          break;
        case 5:
          nameEnd = r.lengthEnd(end);
          nameStart = r.pos;
          r.pos = nameEnd;
          break;
        case 6:
          kind = r.varint32(end) | 0;
          break;
        case 7:
          startLow = r.fixed64(end);
          startHigh = r.hi;
          break;
        case 8:
          endLow = r.fixed64(end);
          endHigh = r.hi;
          break;
        case 9:
          if (firstAttr < 0) firstAttr = tagAt;
          attrCount++;
          r.pos = r.lengthEnd(end);
          break;
        case 10:
          droppedAttributes = r.varint32(end);
          break;
        case 11:
          if (firstEvent < 0) firstEvent = tagAt;
          eventCount++;
          r.pos = r.lengthEnd(end);
          break;
        case 12:
          droppedEvents = r.varint32(end);
          break;
        case 13:
          if (firstLink < 0) firstLink = tagAt;
          linkCount++;
          r.pos = r.lengthEnd(end);
          break;
        case 14:
          droppedLinks = r.varint32(end);
          break;
        case 15: {
          const subEnd = r.lengthEnd(end);
          statusStart = r.pos;
          statusEnd = subEnd;
          checkMessage(r, Msg.Status, subEnd, 6);
          break;
        }
        case 16:
          flags = r.fixed32(end);
          break;
        default:
          skipField(r, Msg.Span, tag, end, 5);
      }
    }
    checkCounts(attrCount, eventCount, linkCount, this.limits);
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
    const traceId = this.id(traceStart, traceEnd, 16, 'trace_id', false);
    const spanId = this.id(spanStart, spanEnd, 8, 'span_id', false);
    const parentSpanId = this.id(parentStart, parentEnd, 8, 'parent_span_id', true);
    const traceState = this.text(stateStart, stateEnd, 'the trace state');
    const name = this.cachedText(nameStart, nameEnd, 'the span name');
    if (kind < 0 || kind > 5) throw new SpanRejection(`invalid span kind ${kind}`);
    let statusCode = 0;
    let statusMessage = '';
    if (statusStart >= 0) {
      let messageStart = -1;
      let messageEnd = -1;
      r.pos = statusStart;
      while (r.pos < statusEnd) {
        const tag = r.varint32(statusEnd);
        const field = tag >>> 3;
        if (field === 3) statusCode = r.varint32(statusEnd) | 0;
        else if (field === 2) {
          messageEnd = r.lengthEnd(statusEnd);
          messageStart = r.pos;
          r.pos = messageEnd;
        } else skipField(r, Msg.Status, tag, statusEnd, 6);
      }
      if (statusCode < 0 || statusCode > 2) throw new SpanRejection(`invalid status code ${statusCode}`);
      statusMessage = this.text(messageStart, messageEnd, 'the status message');
    }
    const attributes: Attributes = {};
    if (firstAttr >= 0) this.attributes(attributes, Msg.Span, 9, firstAttr, end);
    const events: SpanEvent[] = [];
    if (firstEvent >= 0) {
      for (const e of this.repeated(Msg.Span, 11, firstEvent, end)) events.push(this.event(e.start, e.end));
    }
    const links: SpanLink[] = [];
    if (firstLink >= 0) {
      for (const l of this.repeated(Msg.Span, 13, firstLink, end)) links.push(this.link(l.start, l.end));
    }
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
      flags,
      droppedAttributesCount: droppedAttributes,
      droppedEventsCount: droppedEvents,
      droppedLinksCount: droppedLinks,
    };
  }

  protected event(start: number, end: number): SpanEvent {
    const r = this.r;
    r.pos = start;
    let low = 0;
    let high = 0;
    let nameStart = -1;
    let nameEnd = -1;
    let dropped = 0;
    let firstAttr = -1;
    while (r.pos < end) {
      const tagAt = r.pos;
      const tag = r.varint32(end);
      switch (tag >>> 3) {
        case 1:
          low = r.fixed64(end);
          high = r.hi;
          break;
        case 2:
          nameEnd = r.lengthEnd(end);
          nameStart = r.pos;
          r.pos = nameEnd;
          break;
        case 3:
          if (firstAttr < 0) firstAttr = tagAt;
          r.pos = r.lengthEnd(end);
          break;
        case 4:
          dropped = r.varint32(end);
          break;
        default:
          skipField(r, Msg.Event, tag, end, 6);
      }
    }
    const lowNs = high * 296 + low;
    const carry = Math.floor(lowNs / 1000);
    const name = this.text(nameStart, nameEnd, 'an event name');
    const attributes: Attributes = {};
    if (firstAttr >= 0) this.attributes(attributes, Msg.Event, 3, firstAttr, end);
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
    const r = this.r;
    r.pos = start;
    let traceStart = -1;
    let traceEnd = -1;
    let spanStart = -1;
    let spanEnd = -1;
    let stateStart = -1;
    let stateEnd = -1;
    let dropped = 0;
    let flags = 0;
    let firstAttr = -1;
    while (r.pos < end) {
      const tagAt = r.pos;
      const tag = r.varint32(end);
      switch (tag >>> 3) {
        case 1:
          traceEnd = r.lengthEnd(end);
          traceStart = r.pos;
          r.pos = traceEnd;
          break;
        case 2:
          spanEnd = r.lengthEnd(end);
          spanStart = r.pos;
          r.pos = spanEnd;
          break;
        case 3:
          stateEnd = r.lengthEnd(end);
          stateStart = r.pos;
          r.pos = stateEnd;
          break;
        case 4:
          if (firstAttr < 0) firstAttr = tagAt;
          r.pos = r.lengthEnd(end);
          break;
        case 5:
          dropped = r.varint32(end);
          break;
        case 6:
          flags = r.fixed32(end);
          break;
        default:
          skipField(r, Msg.Link, tag, end, 6);
      }
    }
    const link: SpanLink = {
      traceId: this.id(traceStart, traceEnd, 16, 'link trace_id', false),
      spanId: this.id(spanStart, spanEnd, 8, 'link span_id', false),
      traceState: this.text(stateStart, stateEnd, 'a link trace state') || undefined,
      attributes: {},
    };
    if (firstAttr >= 0) this.attributes(link.attributes, Msg.Link, 4, firstAttr, end);
    if (flags !== 0) link.flags = flags;
    if (dropped !== 0) link.droppedAttributesCount = dropped;
    return link;
  }
}
