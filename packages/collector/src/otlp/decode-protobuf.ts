import { InvalidPayloadError } from '../errors.js';
import type { Attributes, DecodedBatch, ResourceInfo, ScopeInfo, SpanInput } from '../model.js';
import {
  DEFAULT_DECODE_LIMITS,
  type DecodeLimits,
  rejectReason,
  SpanRejection,
  serviceOf,
} from './decode-common.js';
import type { Range } from './protobuf-fields.js';
import { ProtobufSpanReader } from './protobuf-span.js';
import { WireError } from './wire-reader.js';
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

class ProtobufTraceDecoder extends ProtobufSpanReader {
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
