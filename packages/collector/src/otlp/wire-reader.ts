/**
 * A minimal protobuf wire reader over one Buffer, for the OTLP trace decoder (the counterpart of
 * the library's `ProtoWriter`). One cursor, every read bounded by the end of the message being
 * read, so a field that overruns its enclosing message is malformed (protobufjs only checked the
 * end of the whole buffer). Errors are {@link WireError}s; the decoder turns them into one
 * `InvalidPayloadError` for the request.
 */

/** The bytes are not a valid protobuf encoding (truncated, overlong varint, bad wire type). */
export class WireError extends Error {}

/** Wire types (protobuf encoding spec). */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

const TWO_POW_32 = 4294967296;

export class WireReader {
  /** The high 32 bits of the last {@link varint64} (the low bits are its return value). */
  hi = 0;
  pos = 0;

  constructor(readonly buf: Buffer) {}

  private truncated(): never {
    throw new WireError(`index out of range: ${this.pos} of ${this.buf.length}`);
  }

  /** A varint's low 32 bits, unsigned (protobuf `uint32`; `| 0` gives `int32`). Up to 10 bytes. */
  varint32(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= end) this.truncated();
    let b = buf[pos++] as number;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let value = b & 0x7f;
    for (let shift = 7; shift < 70; shift += 7) {
      if (pos >= end) {
        this.pos = pos;
        this.truncated();
      }
      b = buf[pos++] as number;
      if (shift < 32) value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    this.pos = pos;
    throw new WireError('invalid varint encoding');
  }

  /** A 64-bit varint: returns the low 32 bits (unsigned) and leaves the high 32 bits in {@link hi}. */
  varint64(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) {
        this.pos = pos;
        this.truncated();
      }
      const b = buf[pos++] as number;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) {
        this.pos = pos;
        this.hi = hi >>> 0;
        return lo >>> 0;
      }
    }
    this.pos = pos;
    throw new WireError('invalid varint encoding');
  }

  /** A little-endian fixed32, unsigned. */
  fixed32(end: number): number {
    if (this.pos + 4 > end) this.truncated();
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A fixed64: returns the low 32 bits and leaves the high 32 bits in {@link hi}. */
  fixed64(end: number): number {
    if (this.pos + 8 > end) this.truncated();
    const buf = this.buf;
    const lo = buf.readUInt32LE(this.pos);
    this.hi = buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
    return lo;
  }

  /**
   * Reads the length of a length-delimited field and returns where its content ends (the cursor is
   * at its start); the content must fit within `end`.
   */
  lengthEnd(end: number): number {
    const length = this.varint32(end);
    const contentEnd = this.pos + length;
    if (contentEnd > end) this.truncated();
    return contentEnd;
  }

  /** Skips a field of wire type `wireType` (an unknown field); groups are skipped whole. */
  skip(wireType: number, end: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint32(end);
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > end) this.truncated();
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.lengthEnd(end);
        return;
      case WIRE_START_GROUP:
        for (;;) {
          const wt = this.varint32(end) & 7;
          if (wt === WIRE_END_GROUP) return;
          this.skip(wt, end);
        }
      case WIRE_FIXED32:
        if (this.pos + 4 > end) this.truncated();
        this.pos += 4;
        return;
      default:
        throw new WireError(`invalid wire type ${wireType} at offset ${this.pos}`);
    }
  }
}

/** Signed int64 from its two words: a number when it is a safe integer, else an exact bigint. */
export function int64FromWords(lo: number, hi: number): number | bigint {
  const high = hi | 0;
  const n = high * TWO_POW_32 + lo;
  if (Number.isSafeInteger(n)) return n;
  return (BigInt(high) << 32n) | BigInt(lo);
}
