import { isUtf8 } from 'node:buffer';
import { type Attributes, type AttrValue, bytesAttr, doubleAttr, putAttribute } from '../model.js';
import { BatchBuilder, type DecodeLimits, SpanRejection } from './decode-common.js';
import { int64FromWords, WireReader } from './wire-reader.js';
import {
  checkMessage,
  countOf,
  firstOf,
  Msg,
  nextField,
  ONEOF_FIELD,
  scanMessage,
  scanRecords,
} from './wire-schema.js';

/**
 * The field-level half of the OTLP/protobuf reader (see decode-protobuf.ts): strings, ids,
 * message checks and attribute values, read in place from the request bytes. A message is scanned
 * once ({@link ProtobufFieldReader.scan}) and its fields are then taken from the scan's record by
 * field number.
 */

const REPLACEMENT_CHAR = '\uFFFD';
/** Nesting depth of attribute values that is kept; deeper values are read and stored as null. */
const MAX_VALUE_DEPTH = 8;

// Buffer's own slice decoders (Node has them since 0.x; not in @types/node).
interface SliceDecoders {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
}

/** Longest string {@link ProtobufFieldReader.cachedText} keeps. */
const MAX_CACHED_BYTES = 32;
const TEXT_CACHE_MASK = 4095;
// Process-wide (one decode at a time: decoding is synchronous), direct-mapped by a hash of the bytes.
// The bytes of every slot live in one flat array (slot i at i * MAX_CACHED_BYTES, its length in
// textCacheLengths, 0 = empty): a lookup reads contiguous memory instead of chasing a pointer to
// a small array per slot, and a miss copies into place instead of allocating.
const textCacheBytes = new Uint8Array((TEXT_CACHE_MASK + 1) * MAX_CACHED_BYTES);
const textCacheLengths = new Uint8Array(TEXT_CACHE_MASK + 1);
const textCacheValues: string[] = new Array(TEXT_CACHE_MASK + 1).fill('');

/** Tags (field number and wire type) of `KeyValue.key` and `.value`, `AnyValue.string_value` and `.int_value`. */
const [KEY_TAG, VALUE_TAG, STRING_TAG, INT_TAG] = [0x0a, 0x12, 0x0a, 0x18];
/** Turns the two words of a fixed64 into the double they encode. */
const DOUBLE_WORDS = new DataView(new ArrayBuffer(8));

export class ProtobufFieldReader {
  protected readonly r: WireReader;
  protected readonly buf: Buffer;
  protected readonly slices: SliceDecoders;
  protected readonly out = new BatchBuilder();
  /**
   * The last scan of each message type. A reader takes what it needs from its record before it
   * scans a message of the same type again (a value nested in a value).
   */
  private readonly records = scanRecords();
  /** The bytes and text of the last trace id read by {@link traceId} ('' before the first). */
  private readonly lastTraceIdBytes = new Uint8Array(16);
  private lastTraceId = '';

  constructor(
    body: Buffer,
    protected readonly limits: DecodeLimits,
  ) {
    this.buf = body;
    this.slices = body as unknown as SliceDecoders;
    this.r = new WireReader(body);
  }

  /** Scans the message of type `type` in `[start, end)` (see `scanMessage`) and returns its record. */
  protected scan(type: Msg, start: number, end: number, depth: number): Int32Array {
    this.r.pos = start;
    scanMessage(this.r, type, end, depth, this.records);
    return this.records[type] as Int32Array;
  }

  /** The record of the last scan of a message of type `type` (a checked `Status` is scanned with its span). */
  protected record(type: Msg): Int32Array {
    return this.records[type] as Int32Array;
  }

  /** Text of string field `n` of a scan: invalid UTF-8 rejects the span, a real U+FFFD passes. */
  protected text(rec: Int32Array, n: number, where: string): string {
    return this.textIn(rec[4 * n] as number, rec[4 * n + 1] as number, where);
  }

  private textIn(start: number, end: number, where: string): string {
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
    if (start < 0 || length > MAX_CACHED_BYTES) return this.textIn(start, end, where);
    if (length === 0) return '';
    const buf = this.buf;
    let hash = length;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
    const slot = (hash >>> 0) & TEXT_CACHE_MASK;
    const at = slot * MAX_CACHED_BYTES;
    if (textCacheLengths[slot] === length) {
      let i = 0;
      while (i < length && textCacheBytes[at + i] === buf[start + i]) i++;
      if (i === length) return textCacheValues[slot] as string;
    }
    const value = this.textIn(start, end, where);
    for (let i = 0; i < length; i++) textCacheBytes[at + i] = buf[start + i] as number;
    textCacheLengths[slot] = length;
    textCacheValues[slot] = value;
    return value;
  }

  /**
   * Hex id of exactly `size` bytes in field `n` of a scan (absent or empty allowed when
   * `optional`); all zeroes rejected.
   */
  protected id(rec: Int32Array, n: number, size: number, what: string, optional: boolean): string {
    const start = rec[4 * n] as number;
    const end = rec[4 * n + 1] as number;
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

  /**
   * {@link id} for a 16-byte trace id, reusing the string of the previous one when the bytes are
   * the same: the spans of a trace usually arrive together, and equal ids that are one string
   * compare and hash at no cost later (grouping by trace, per-trace maps).
   */
  protected traceId(rec: Int32Array, n: number, what: string): string {
    const start = rec[4 * n] as number;
    const last = this.lastTraceIdBytes;
    if (this.lastTraceId !== '' && start >= 0 && (rec[4 * n + 1] as number) - start === 16) {
      const buf = this.buf;
      let i = 0;
      while (i < 16 && last[i] === buf[start + i]) i++;
      if (i === 16) return this.lastTraceId;
    }
    const id = this.id(rec, n, 16, what, false);
    for (let i = 0; i < 16; i++) last[i] = this.buf[start + i] as number;
    this.lastTraceId = id;
    return id;
  }

  /** Skips to `end` checking the message, after part of it was rejected. */
  protected check(type: Msg, start: number, end: number): void {
    const r = this.r;
    r.pos = start;
    checkMessage(r, type, end, 1);
  }

  /** The key/value fields `n` of the message scanned into `rec`, which ends at `end`, into `out`. */
  protected attributes(out: Attributes, type: Msg, n: number, rec: Int32Array, end: number): void {
    if (countOf(rec, n) === 0) return;
    const r = this.r;
    r.pos = firstOf(rec, n);
    for (let kvEnd = nextField(r, type, n, end, 3); kvEnd >= 0; kvEnd = nextField(r, type, n, end, 3)) {
      this.keyValue(out, r.pos, kvEnd, 'an attribute key', 0);
      r.pos = kvEnd;
    }
  }

  /** One `KeyValue` in `[start, end)` into `out` (the cursor is left anywhere). */
  protected keyValue(out: Attributes, start: number, end: number, keyWhere: string, depth: number): void {
    const r = this.r;
    r.pos = start;
    // The usual encoding, a key then a value and nothing else, is read without a scan: the same
    // reads in the same order as the scan's, which takes over (from the start) for anything else.
    if (start < end && r.varint32(end) === KEY_TAG) {
      const keyEnd = r.lengthEnd(end);
      const keyStart = r.pos;
      r.pos = keyEnd;
      if (keyEnd < end && r.varint32(end) === VALUE_TAG && r.lengthEnd(end) === end) {
        putAttribute(out, this.cachedText(keyStart, keyEnd, keyWhere), this.anyValue(r.pos, end, depth));
        return;
      }
    }
    const kv = this.scan(Msg.KeyValue, start, end, depth + 4);
    const key = this.cachedText(kv[4] as number, kv[5] as number, keyWhere);
    putAttribute(
      out,
      key,
      kv[ONEOF_FIELD] === 0 ? null : this.anyValue(kv[0] as number, kv[1] as number, depth),
    );
  }

  /** One `AnyValue` in `[start, end)` (the cursor is left anywhere). */
  protected anyValue(start: number, end: number, depth: number): AttrValue {
    const r = this.r;
    r.pos = start;
    if (depth > MAX_VALUE_DEPTH) {
      checkMessage(r, Msg.AnyValue, end, depth + 4);
      return null;
    }
    // A lone string or int (most values) is read without a scan, as in keyValue.
    if (start < end) {
      const tag = r.varint32(end);
      if (tag === STRING_TAG) {
        const to = r.lengthEnd(end);
        if (to === end) return this.cachedText(r.pos, to, 'a string value');
      } else if (tag === INT_TAG) {
        const low = r.varint64(end);
        if (r.pos === end) return int64FromWords(low, r.hi);
      }
    }
    const value = this.scan(Msg.AnyValue, start, end, depth + 4);
    // The value's offsets, or its low and high words.
    const from = value[0] as number;
    const to = value[1] as number;
    switch (value[ONEOF_FIELD]) {
      case 1:
        return this.cachedText(from, to, 'a string value');
      case 2:
        return from !== 0;
      case 3:
        return int64FromWords(from >>> 0, to >>> 0);
      case 4:
        DOUBLE_WORDS.setInt32(0, from, true);
        DOUBLE_WORDS.setInt32(4, to, true);
        return doubleAttr(DOUBLE_WORDS.getFloat64(0, true));
      case 5:
        return this.arrayValue(from, to, depth);
      case 6:
        return this.keyValueList(from, to, depth);
      case 7:
        return bytesAttr(this.buf.subarray(from, to));
      default:
        return null;
    }
  }

  private arrayValue(start: number, end: number, depth: number): AttrValue[] {
    const list: AttrValue[] = [];
    const r = this.r;
    r.pos = start;
    const type = Msg.ArrayValue;
    for (let valueEnd = nextField(r, type, 1, end, depth + 4); valueEnd >= 0; ) {
      list.push(this.anyValue(r.pos, valueEnd, depth + 1));
      r.pos = valueEnd;
      valueEnd = nextField(r, type, 1, end, depth + 4);
    }
    return list;
  }

  private keyValueList(start: number, end: number, depth: number): Record<string, AttrValue> {
    const map: Record<string, AttrValue> = {};
    const r = this.r;
    r.pos = start;
    const type = Msg.KeyValueList;
    for (let kvEnd = nextField(r, type, 1, end, depth + 4); kvEnd >= 0; ) {
      this.keyValue(map, r.pos, kvEnd, 'a key/value list key', depth + 1);
      r.pos = kvEnd;
      kvEnd = nextField(r, type, 1, end, depth + 4);
    }
    return map;
  }
}
