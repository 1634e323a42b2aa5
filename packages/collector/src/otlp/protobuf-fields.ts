import { isUtf8 } from 'node:buffer';
import { type Attributes, type AttrValue, bytesAttr, doubleAttr } from '../model.js';
import { BatchBuilder, type DecodeLimits, SpanRejection } from './decode-common.js';
import { int64FromWords, WireReader } from './wire-reader.js';
import { checkMessage, Msg, skipField } from './wire-schema.js';

/**
 * The field-level half of the OTLP/protobuf reader (see decode-protobuf.ts): strings, ids,
 * message checks and attribute values, read in place from the request bytes.
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
export interface Range {
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

export class ProtobufFieldReader {
  protected readonly r: WireReader;
  protected readonly buf: Buffer;
  protected readonly slices: SliceDecoders;
  protected readonly out = new BatchBuilder();

  constructor(
    body: Buffer,
    protected readonly limits: DecodeLimits,
  ) {
    this.buf = body;
    this.slices = body as unknown as SliceDecoders;
    this.r = new WireReader(body);
  }

  /** Text of a string field: invalid UTF-8 rejects the span, a real U+FFFD passes. */
  protected text(start: number, end: number, where: string): string {
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
  protected cachedText(start: number, end: number, where: string): string {
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
  protected id(start: number, end: number, size: number, what: string, optional: boolean): string {
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
  protected check(type: Msg, start: number, end: number): void {
    const r = this.r;
    r.pos = start;
    checkMessage(r, type, end, 1);
  }

  /** Fields `field` (repeated, length-delimited) of the message in `[from, end)`, as ranges. */
  protected *repeated(type: Msg, field: number, from: number, end: number): Generator<Range> {
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

  /** The key/value fields `field` of the message in `[from, end)` into `out`. */
  protected attributes(out: Attributes, type: Msg, field: number, from: number, end: number): void {
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
  protected keyValue(out: Attributes, start: number, end: number, keyWhere: string, depth: number): void {
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
  protected anyValue(start: number, end: number, depth: number): AttrValue {
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
}
