import { InvalidPayloadError } from '../errors.js';
import type { Attributes, DecodedBatch, ResourceInfo, ScopeInfo, SpanInput } from '../model.js';
import {
  DEFAULT_DECODE_LIMITS,
  type DecodeLimits,
  rejectReason,
  SpanRejection,
  serviceOf,
} from './decode-common.js';
import { ProtobufSpanReader } from './protobuf-span.js';
import { WireError } from './wire-reader.js';
import { checkMessage, countOf, endOf, firstOf, lowOf, Msg, nextField, startOf } from './wire-schema.js';

/*
 * OTLP/protobuf `ExportTraceServiceRequest` read straight from the wire into the spans the store
 * keeps, with no intermediate message objects. What it accepts and answers is what the protobufjs
 * decoder and the shared walker gave (test/otlp-wire-differential.test.ts compares both on
 * edge-case and random payloads), with one difference: a field that overruns the message it is
 * in is malformed here, where protobufjs read on into the next bytes.
 *
 * Each message is read in two passes: a scan notes where its fields are (their order on the wire
 * is free; see `scanMessage` in wire-schema.ts), then the reader validates and converts them in a
 * fixed order, so a span with two problems is rejected for the same one whatever the field order. A rejected
 * span, resource or scope is still read to its end, so a malformed request is refused as a whole
 * however much of it was rejected before.
 */

class ProtobufTraceDecoder extends ProtobufSpanReader {
  decode(): DecodedBatch {
    const r = this.r;
    const end = this.buf.length;
    r.pos = 0;
    for (let rsEnd = nextField(r, Msg.Request, 1, end, 0); rsEnd >= 0; ) {
      this.resourceSpans(r.pos, rsEnd);
      r.pos = rsEnd;
      rsEnd = nextField(r, Msg.Request, 1, end, 0);
    }
    return this.out.result();
  }

  private resourceSpans(start: number, end: number): void {
    const rs = this.scan(Msg.ResourceSpans, start, end, 1);
    const resource = this.resourceOrRejection(rs);
    if (countOf(rs, 2) === 0) return;
    const r = this.r;
    r.pos = firstOf(rs, 2);
    for (let ssEnd = nextField(r, Msg.ResourceSpans, 2, end, 1); ssEnd >= 0; ) {
      if (resource instanceof SpanRejection) this.rejectSpans(r.pos, ssEnd, resource);
      else this.scopeSpans(r.pos, ssEnd, resource);
      r.pos = ssEnd;
      ssEnd = nextField(r, Msg.ResourceSpans, 2, end, 1);
    }
  }

  /** The resource of the `ResourceSpans` scanned into `rs`, or why it is rejected. */
  private resourceOrRejection(rs: Int32Array): ResourceInfo | SpanRejection {
    try {
      return this.resource(rs);
    } catch (error) {
      if (!(error instanceof SpanRejection)) throw error;
      return error;
    }
  }

  private resource(rs: Int32Array): ResourceInfo {
    const attributes: Attributes = {};
    let dropped = 0;
    if (startOf(rs, 1) >= 0) {
      const end = endOf(rs, 1);
      const resource = this.scan(Msg.Resource, startOf(rs, 1), end, 2);
      this.attributes(attributes, Msg.Resource, 1, resource, end);
      dropped = lowOf(resource, 2);
    }
    const info: ResourceInfo = {
      serviceName: serviceOf(attributes),
      attributes,
      schemaUrl: this.text(rs, 3, 'the resource schema URL'),
    };
    if (dropped !== 0) info.droppedAttributesCount = dropped;
    return info;
  }

  /** Counts every span of a `ScopeSpans` as rejected for `error` (checking that they are well formed). */
  private rejectSpans(start: number, end: number, error: SpanRejection): void {
    const reason = rejectReason(error);
    const r = this.r;
    r.pos = start;
    for (let spanEnd = nextField(r, Msg.ScopeSpans, 2, end, 1); spanEnd >= 0; ) {
      checkMessage(r, Msg.Span, spanEnd, 2);
      this.out.reject(reason);
      spanEnd = nextField(r, Msg.ScopeSpans, 2, end, 1);
    }
  }

  private scopeSpans(start: number, end: number, resource: ResourceInfo): void {
    const ss = this.scan(Msg.ScopeSpans, start, end, 2);
    const spanCount = countOf(ss, 2);
    const firstSpan = firstOf(ss, 2);
    let info: ScopeInfo;
    try {
      info = this.scope(ss);
    } catch (error) {
      if (!(error instanceof SpanRejection)) throw error;
      if (spanCount > 0) this.rejectSpans(firstSpan, end, error);
      return;
    }
    if (spanCount === 0) return;
    const spans: SpanInput[] = [];
    const r = this.r;
    r.pos = firstSpan;
    for (let spanEnd = nextField(r, Msg.ScopeSpans, 2, end, 1); spanEnd >= 0; ) {
      const spanStart = r.pos;
      try {
        spans.push(this.span(spanStart, spanEnd));
      } catch (error) {
        if (!(error instanceof SpanRejection)) throw error;
        this.check(Msg.Span, spanStart, spanEnd);
        this.out.reject(rejectReason(error));
      }
      r.pos = spanEnd;
      spanEnd = nextField(r, Msg.ScopeSpans, 2, end, 1);
    }
    if (spans.length > 0) {
      this.out.groups.push({ resource, scope: info, spans });
      this.out.spanCount += spans.length;
    }
  }

  private scope(ss: Int32Array): ScopeInfo {
    // An absent scope is the empty range [-1, -1): a scan of it finds nothing.
    const end = endOf(ss, 1);
    const scope = this.scan(Msg.Scope, startOf(ss, 1), end, 3);
    const name = this.text(scope, 1, 'the scope name');
    const version = this.text(scope, 2, 'the scope version');
    const attributes: Attributes = {};
    this.attributes(attributes, Msg.Scope, 3, scope, end);
    const info: ScopeInfo = {
      name,
      version,
      attributes,
      schemaUrl: this.text(ss, 3, 'the scope schema URL'),
    };
    const dropped = lowOf(scope, 4);
    if (dropped !== 0) info.droppedAttributesCount = dropped;
    return info;
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
