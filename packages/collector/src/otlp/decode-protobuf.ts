import { isUtf8 } from 'node:buffer';
import { InvalidPayloadError } from '../errors.js';
import {
  type Attributes,
  type AttrValue,
  bytesAttr,
  type DecodedBatch,
  doubleAttr,
  type ResourceInfo,
  type ScopeInfo,
  type SpanEvent,
  type SpanInput,
  type SpanLink,
} from '../model.js';
import {
  BatchBuilder,
  checkCounts,
  DEFAULT_DECODE_LIMITS,
  type DecodeLimits,
  rejectReason,
  SpanRejection,
  serviceOf,
} from './decode-common.js';
import { int64FromWords, WireError, WireReader } from './wire-reader.js';
import { checkMessage, Msg, skipField } from './wire-schema.js';

/*
 * OTLP/protobuf `ExportTraceServiceRequest` read straight from the wire into the spans the store
 * keeps, with no intermediate message objects. What it accepts and answers is what the protobufjs
 * decoder and the shared walker gave (test/otlp-wire-differential.test.ts compares both on
 * edge-case and random payloads), with one difference: a field that overruns the message it is
 * in is malformed here, where protobufjs read on into the next bytes.
 *
 * Each message is read in two passes where that matters: the first notes where the fields are
 * (their order on the wire is free), the second validates and converts them in a fixed order, so
 * a span with two problems is rejected for the same one whatever the field order. A rejected
 * span, resource or scope is still read to its end, so a malformed request is refused as a whole
 * however much of it was rejected before.
 */

const REPLACEMENT_CHAR = '\uFFFD';
/** Nesting depth of attribute values that is kept; deeper values are read and stored as null. */
const MAX_VALUE_DEPTH = 8;

// Buffer's own slice decoders (Node has them since 0.x; not in @types/node).
interface SliceDecoders {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
}

/** Start and end offset of a length-delimited field (start -1: absent). */
interface Range {
  start: number;
  end: number;
}

/** Longest string {@link ProtobufTraceDecoder.cachedText} keeps. */
const MAX_CACHED_BYTES = 32;
const TEXT_CACHE_MASK = 4095;
// Process-wide (one decode at a time: decoding is synchronous), direct-mapped by a hash of the bytes.
// Own copies (not Buffer pool slices, which would keep whole 8 KiB pool slabs alive).
const textCacheBytes: (Uint8Array | undefined)[] = new Array(TEXT_CACHE_MASK + 1).fill(undefined);
const textCacheValues: (string | undefined)[] = new Array(TEXT_CACHE_MASK + 1).fill(undefined);

class ProtobufTraceDecoder {
  private readonly r: WireReader;
  private readonly buf: Buffer;
  private readonly slices: SliceDecoders;
  private readonly out = new BatchBuilder();

  constructor(
    body: Buffer,
    private readonly limits: DecodeLimits,
  ) {
    this.buf = body;
    this.slices = body as unknown as SliceDecoders;
    this.r = new WireReader(body);
  }

  decode(): DecodedBatch {
    const r = this.r;
    const end = this.buf.length;
    while (r.pos < end) {
      const tag = r.varint32(end);
      if (tag >>> 3 === 1) {
        const subEnd = r.lengthEnd(end);
        this.resourceSpans(r.pos, subEnd);
        r.pos = subEnd;
      } else skipField(r, Msg.Request, tag, end, 0);
    }
    return this.out.result();
  }

  /** Text of a string field: invalid UTF-8 rejects the span, a real U+FFFD passes. */
  private text(start: number, end: number, where: string): string {
    if (start < 0 || start === end) return '';
    const value = this.slices.utf8Slice(start, end);
    if (value.includes(REPLACEMENT_CHAR) && !isUtf8(this.buf.subarray(start, end))) {
      throw new SpanRejection(`invalid UTF-8 in ${where}`);
    }
    return value;
  }

  /**
   * {@link text} for short strings that repeat from span to span (attribute keys, span names,
   * enum-like values): one decoded copy is kept per byte sequence, so a repeat costs a hash and a
   * compare instead of a decode, and object keys arrive already internalised.
   */
  private cachedText(start: number, end: number, where: string): string {
    const length = end - start;
    if (start < 0 || length > MAX_CACHED_BYTES) return this.text(start, end, where);
    if (length === 0) return '';
    const buf = this.buf;
    let hash = length;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
    const slot = (hash >>> 0) & TEXT_CACHE_MASK;
    const cached = textCacheBytes[slot];
    if (cached !== undefined && cached.length === length) {
      let i = 0;
      while (i < length && cached[i] === buf[start + i]) i++;
      if (i === length) return textCacheValues[slot] as string;
    }
    const value = this.text(start, end, where);
    textCacheBytes[slot] = new Uint8Array(buf.subarray(start, end));
    textCacheValues[slot] = value;
    return value;
  }

  /** Hex id of exactly `size` bytes (absent or empty allowed when `optional`); all zeroes rejected. */
  private id(start: number, end: number, size: number, what: string, optional: boolean): string {
    const length = start < 0 ? 0 : end - start;
    if (length === 0 && optional) return '';
    if (length !== size) throw new SpanRejection(`${what} must be ${size} bytes, got ${length}`);
    if (!optional) {
      const buf = this.buf;
      let any = 0;
      for (let i = start; i < end; i++) any |= buf[i] as number;
      if (any === 0) throw new SpanRejection(`${what} is all zeroes`);
    }
    return this.slices.hexSlice(start, end);
  }

  /** Skips to `end` checking the message, after part of it was rejected. */
  private check(type: Msg, start: number, end: number): void {
    const r = this.r;
    r.pos = start;
    checkMessage(r, type, end, 1);
  }

  /** Fields `field` (repeated, length-delimited) of the message in `[from, end)`, as ranges. */
  private *repeated(type: Msg, field: number, from: number, end: number): Generator<Range> {
    const r = this.r;
    r.pos = from;
    while (r.pos < end) {
      const tag = r.varint32(end);
      if (tag >>> 3 === field) {
        const subEnd = r.lengthEnd(end);
        const start = r.pos;
        yield { start, end: subEnd };
        r.pos = subEnd;
      } else skipField(r, type, tag, end, 1);
    }
  }

  private resourceSpans(start: number, end: number): void {
    const r = this.r;
    r.pos = start;
    let resource: Range | null = null;
    let urlStart = -1;
    let urlEnd = -1;
    let firstScope = -1;
    while (r.pos < end) {
      const tagAt = r.pos;
      const tag = r.varint32(end);
      switch (tag >>> 3) {
        case 1: {
          const subEnd = r.lengthEnd(end);
          resource = { start: r.pos, end: subEnd };
          checkMessage(r, Msg.Resource, subEnd, 2);
          break;
        }
        case 2:
          if (firstScope < 0) firstScope = tagAt;
          r.pos = r.lengthEnd(end);
          break;
        case 3:
          urlEnd = r.lengthEnd(end);
          urlStart = r.pos;
          r.pos = urlEnd;
          break;
        default:
          skipField(r, Msg.ResourceSpans, tag, end, 1);
      }
    }
    let info: ResourceInfo;
    try {
      info = this.resource(resource, urlStart, urlEnd);
    } catch (error) {
      if (!(error instanceof SpanRejection)) throw error;
      if (firstScope >= 0) {
        for (const ss of this.repeated(Msg.ResourceSpans, 2, firstScope, end)) {
          this.rejectSpans(ss.start, ss.end, error);
        }
      }
      return;
    }
    if (firstScope < 0) return;
    for (const ss of this.repeated(Msg.ResourceSpans, 2, firstScope, end)) {
      this.scopeSpans(ss.start, ss.end, info);
    }
  }

  private resource(resource: Range | null, urlStart: number, urlEnd: number): ResourceInfo {
    const attributes: Attributes = {};
    let dropped = 0;
    if (resource !== null) {
      const r = this.r;
      const end = resource.end;
      r.pos = resource.start;
      while (r.pos < end) {
        const tag = r.varint32(end);
        const field = tag >>> 3;
        if (field === 1) {
          const kvEnd = r.lengthEnd(end);
          this.keyValue(attributes, r.pos, kvEnd, 'an attribute key', 0);
          r.pos = kvEnd;
        } else if (field === 2) dropped = r.varint32(end);
        else skipField(r, Msg.Resource, tag, end, 2);
      }
    }
    const info: ResourceInfo = {
      serviceName: serviceOf(attributes),
      attributes,
      schemaUrl: this.text(urlStart, urlEnd, 'the resource schema URL'),
    };
    if (dropped !== 0) info.droppedAttributesCount = dropped;
    return info;
  }

  /** Counts every span of a `ScopeSpans` as rejected for `error` (checking that they are well formed). */
  private rejectSpans(start: number, end: number, error: SpanRejection): void {
    const reason = rejectReason(error);
    const r = this.r;
    r.pos = start;
    while (r.pos < end) {
      const tag = r.varint32(end);
      const field = tag >>> 3;
      skipField(r, Msg.ScopeSpans, tag, end, 1);
      if (field === 2) this.out.reject(reason);
    }
  }

  private scopeSpans(start: number, end: number, resource: ResourceInfo): void {
    const r = this.r;
    r.pos = start;
    let scope: Range | null = null;
    let urlStart = -1;
    let urlEnd = -1;
    let firstSpan = -1;
    while (r.pos < end) {
      const tagAt = r.pos;
      const tag = r.varint32(end);
      switch (tag >>> 3) {
        case 1: {
          const subEnd = r.lengthEnd(end);
          scope = { start: r.pos, end: subEnd };
          checkMessage(r, Msg.Scope, subEnd, 3);
          break;
        }
        case 2:
          if (firstSpan < 0) firstSpan = tagAt;
          r.pos = r.lengthEnd(end);
          break;
        case 3:
          urlEnd = r.lengthEnd(end);
          urlStart = r.pos;
          r.pos = urlEnd;
          break;
        default:
          skipField(r, Msg.ScopeSpans, tag, end, 2);
      }
    }
    let info: ScopeInfo;
    try {
      info = this.scope(scope, urlStart, urlEnd);
    } catch (error) {
      if (!(error instanceof SpanRejection)) throw error;
      if (firstSpan >= 0) this.rejectSpans(firstSpan, end, error);
      return;
    }
    if (firstSpan < 0) return;
    const spans: SpanInput[] = [];
    for (const s of this.repeated(Msg.ScopeSpans, 2, firstSpan, end)) {
      try {
        spans.push(this.span(s.start, s.end));
      } catch (error) {
        if (!(error instanceof SpanRejection)) throw error;
        this.check(Msg.Span, s.start, s.end);
        this.out.reject(rejectReason(error));
      }
      r.pos = s.end;
    }
    if (spans.length > 0) {
      this.out.groups.push({ resource, scope: info, spans });
      this.out.spanCount += spans.length;
    }
  }

  private scope(scope: Range | null, urlStart: number, urlEnd: number): ScopeInfo {
    let nameStart = -1;
    let nameEnd = -1;
    let versionStart = -1;
    let versionEnd = -1;
    let dropped = 0;
    let firstAttr = -1;
    const r = this.r;
    if (scope !== null) {
      const end = scope.end;
      r.pos = scope.start;
      while (r.pos < end) {
        const tagAt = r.pos;
        const tag = r.varint32(end);
        switch (tag >>> 3) {
          case 1:
            nameEnd = r.lengthEnd(end);
            nameStart = r.pos;
            r.pos = nameEnd;
            break;
          case 2:
            versionEnd = r.lengthEnd(end);
            versionStart = r.pos;
            r.pos = versionEnd;
            break;
          case 3:
            if (firstAttr < 0) firstAttr = tagAt;
            r.pos = r.lengthEnd(end);
            break;
          case 4:
            dropped = r.varint32(end);
            break;
          default:
            skipField(r, Msg.Scope, tag, end, 3);
        }
      }
    }
    const name = this.text(nameStart, nameEnd, 'the scope name');
    const version = this.text(versionStart, versionEnd, 'the scope version');
    const attributes: Attributes = {};
    if (scope !== null && firstAttr >= 0) this.attributes(attributes, Msg.Scope, 3, firstAttr, scope.end);
    const info: ScopeInfo = {
      name,
      version,
      attributes,
      schemaUrl: this.text(urlStart, urlEnd, 'the scope schema URL'),
    };
    if (dropped !== 0) info.droppedAttributesCount = dropped;
    return info;
  }

  /** The key/value fields `field` of the message in `[from, end)` into `out`. */
  private attributes(out: Attributes, type: Msg, field: number, from: number, end: number): void {
    const r = this.r;
    r.pos = from;
    while (r.pos < end) {
      const tag = r.varint32(end);
      if (tag >>> 3 === field) {
        const kvEnd = r.lengthEnd(end);
        this.keyValue(out, r.pos, kvEnd, 'an attribute key', 0);
        r.pos = kvEnd;
      } else skipField(r, type, tag, end, 3);
    }
  }

  /** One `KeyValue` in `[start, end)` into `out` (the cursor is left anywhere). */
  private keyValue(out: Attributes, start: number, end: number, keyWhere: string, depth: number): void {
    const r = this.r;
    r.pos = start;
    let keyStart = -1;
    let keyEnd = -1;
    let valueStart = -1;
    let valueEnd = -1;
    while (r.pos < end) {
      const tag = r.varint32(end);
      const field = tag >>> 3;
      if (field === 1) {
        keyEnd = r.lengthEnd(end);
        keyStart = r.pos;
        r.pos = keyEnd;
      } else if (field === 2) {
        if (valueStart >= 0) {
          // A repeated value: the last one counts, the earlier one must still be well formed.
          const at = r.pos;
          this.check(Msg.AnyValue, valueStart, valueEnd);
          r.pos = at;
        }
        valueEnd = r.lengthEnd(end);
        valueStart = r.pos;
        r.pos = valueEnd;
      } else skipField(r, Msg.KeyValue, tag, end, depth + 4);
    }
    const key = this.cachedText(keyStart, keyEnd, keyWhere);
    out[key] = valueStart < 0 ? null : this.anyValue(valueStart, valueEnd, depth);
  }

  /** One `AnyValue` in `[start, end)` (the cursor is left anywhere). */
  private anyValue(start: number, end: number, depth: number): AttrValue {
    const r = this.r;
    if (depth > MAX_VALUE_DEPTH) {
      r.pos = start;
      checkMessage(r, Msg.AnyValue, end, depth + 4);
      return null;
    }
    r.pos = start;
    let field = 0;
    let from = 0;
    let to = 0;
    let low = 0;
    let high = 0;
    let double = 0;
    while (r.pos < end) {
      const tag = r.varint32(end);
      const f = tag >>> 3;
      if (f < 1 || f > 7) {
        skipField(r, Msg.AnyValue, tag, end, depth + 4);
        continue;
      }
      if (field === 5 || field === 6) {
        // One of the value fields came again: the last one counts, a list before it is checked.
        const at = r.pos;
        this.check(field === 5 ? Msg.ArrayValue : Msg.KeyValueList, from, to);
        r.pos = at;
      }
      field = f;
      switch (f) {
        case 2:
          low = r.varint32(end);
          break;
        case 3:
          low = r.varint64(end);
          high = r.hi;
          break;
        case 4:
          double = r.double(end);
          break;
        default:
          to = r.lengthEnd(end);
          from = r.pos;
          r.pos = to;
      }
    }
    switch (field) {
      case 1:
        return this.cachedText(from, to, 'a string value');
      case 2:
        return low !== 0;
      case 3:
        return int64FromWords(low, high);
      case 4:
        return doubleAttr(double);
      case 5: {
        const list: AttrValue[] = [];
        r.pos = from;
        while (r.pos < to) {
          const tag = r.varint32(to);
          if (tag >>> 3 === 1) {
            const valueEnd = r.lengthEnd(to);
            list.push(this.anyValue(r.pos, valueEnd, depth + 1));
            r.pos = valueEnd;
          } else skipField(r, Msg.ArrayValue, tag, to, depth + 4);
        }
        return list;
      }
      case 6: {
        const map: Record<string, AttrValue> = {};
        r.pos = from;
        while (r.pos < to) {
          const tag = r.varint32(to);
          if (tag >>> 3 === 1) {
            const kvEnd = r.lengthEnd(to);
            this.keyValue(map, r.pos, kvEnd, 'a key/value list key', depth + 1);
            r.pos = kvEnd;
          } else skipField(r, Msg.KeyValueList, tag, to, depth + 4);
        }
        return map;
      }
      case 7:
        return bytesAttr(this.buf.subarray(from, to));
      default:
        return null;
    }
  }

  /** One span in `[start, end)`; throws `SpanRejection` when it fails validation. */
  private span(start: number, end: number): SpanInput {
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

  private event(start: number, end: number): SpanEvent {
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

  private link(start: number, end: number): SpanLink {
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

/**
 * Decodes a binary `ExportTraceServiceRequest`. Throws `InvalidPayloadError` when the bytes are not
 * a valid message; spans that fail validation (id sizes, invalid UTF-8, enum ranges, the limits)
 * are counted in `rejected` instead.
 *
 * Strings are kept as sent: a U+FFFD the sender meant is accepted, bytes that are not UTF-8 reject
 * the span. int64 values beyond 2^53 are exact bigints, timestamps keep their nanoseconds.
 */
export function decodeProtobufRequest(
  body: Uint8Array,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): DecodedBatch {
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  try {
    return new ProtobufTraceDecoder(buffer, limits).decode();
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    throw new InvalidPayloadError(`malformed protobuf ExportTraceServiceRequest: ${error.message}`, {
      cause: error,
    });
  }
}
