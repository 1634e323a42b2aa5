/**
 * A minimal protobuf writer over one growable Buffer, for the OTLP span encoder. Nothing is
 * allocated per field: short ASCII strings and hex ids are copied in JavaScript, other strings go
 * through Buffer's native UTF-8 `write`; nested
 * messages reserve one length byte and shift only when the body reaches 128 bytes, so lengths are
 * canonical varints.
 */
/** Strings up to this length are tried as ASCII in JavaScript before Buffer.write. */
const SHORT_STRING = 64;

/** The value of each hex digit's char code (either case, as Buffer's hex decoding); -1 otherwise. */
const HEX_VALUES = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  const text = digit.toString(16);
  HEX_VALUES[text.charCodeAt(0)] = digit;
  HEX_VALUES[text.toUpperCase().charCodeAt(0)] = digit;
}

/** The value of a hex digit's char code, or -1. */
function hexValue(code: number): number {
  return code < 128 ? (HEX_VALUES[code] as number) : -1;
}

export class ProtoWriter {
  buffer: Buffer;
  pos = 0;

  constructor(initialBytes = 4096) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  /** Start over (the buffer is kept). */
  reset(): void {
    this.pos = 0;
  }

  /** A copy of the bytes written so far (from Buffer's pool for small sizes). */
  copy(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buffer.copy(out, 0, 0, this.pos);
    return out;
  }

  ensure(bytes: number): void {
    const needed = this.pos + bytes;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.pos);
    this.buffer = grown;
  }

  /** A varint of a non-negative integer below 2^53. */
  varint(value: number): void {
    this.ensure(10);
    const buffer = this.buffer;
    let v = value;
    while (v >= 0x80) {
      buffer[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buffer[this.pos++] = v;
  }

  /** A field tag: field number and wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32). */
  tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    const tag = field * 8 + wireType;
    if (tag < 0x80 && this.pos < this.buffer.length) {
      // Fields 1–15: the tag is one byte (every OTLP field the encoder writes but span flags).
      this.buffer[this.pos++] = tag;
      return;
    }
    this.varint(tag);
  }

  /** An int64 varint (two's complement for negatives, 10 bytes), from an integer double. */
  int64(value: number): void {
    if (value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
      this.varint(value);
      return;
    }
    // Split into 32-bit words; exact for every integer double in the int64 range.
    const high = Math.floor(value / 0x100000000);
    let lo = (value - high * 0x100000000) >>> 0;
    let hi = high >>> 0;
    this.ensure(10);
    while (hi !== 0 || lo >= 0x80) {
      this.buffer[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buffer[this.pos++] = lo;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.buffer.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  /** A fixed64 from its low and high 32-bit words. */
  fixed64(low: number, high: number): void {
    this.ensure(8);
    this.buffer.writeUInt32LE(low >>> 0, this.pos);
    this.buffer.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.buffer.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string (lone surrogates become U+FFFD, as TextEncoder does). */
  string(value: string): void {
    const start = this.begin();
    const length = value.length;
    this.ensure(length * 3);
    // Attribute keys and most values are short ASCII: copying them char by char is cheaper than
    // a call into native code. Anything else (or a non-ASCII char on the way) takes Buffer.write.
    if (length <= SHORT_STRING) {
      const buffer = this.buffer;
      let pos = this.pos;
      let i = 0;
      for (; i < length; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buffer[pos++] = c;
      }
      if (i === length) {
        this.pos = pos;
        this.end(start);
        return;
      }
    }
    this.pos += this.buffer.write(value, this.pos, 'utf8');
    this.end(start);
  }

  /** Length-delimited bytes from a hex string (trace and span ids). */
  hexBytes(hex: string): void {
    const start = this.begin();
    const bytes = hex.length >> 1;
    this.ensure(bytes);
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < bytes; i++) {
      const high = hexValue(hex.charCodeAt(2 * i));
      const low = hexValue(hex.charCodeAt(2 * i + 1));
      if ((high | low) < 0) {
        // Not hex: Buffer.write's own rule (stop at the first bad pair) decides, as before.
        this.pos += buffer.write(hex, this.pos, 'hex');
        this.end(start);
        return;
      }
      buffer[pos++] = (high << 4) | low;
    }
    this.pos = pos;
    this.end(start);
  }

  bytes(value: Uint8Array): void {
    const start = this.begin();
    this.ensure(value.length);
    this.buffer.set(value, this.pos);
    this.pos += value.length;
    this.end(start);
  }

  /** Pre-encoded bytes, as they are. */
  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }

  /** Reserve the length byte of a nested message; returns where it is (give it to {@link end}). */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Write the length of the message begun at `start`, widening its varint if needed. */
  end(start: number): void {
    const length = this.pos - start - 1;
    if (length < 0x80) {
      this.buffer[start] = length;
      return;
    }
    const size = varintSize(length);
    this.ensure(size - 1);
    this.buffer.copy(this.buffer, start + size, start + 1, this.pos);
    this.pos += size - 1;
    let v = length;
    let at = start;
    while (v >= 0x80) {
      this.buffer[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buffer[at] = v;
  }
}

/** Bytes of the varint of a non-negative integer below 2^53. */
export function varintSize(value: number): number {
  let size = 1;
  let v = value;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    size++;
  }
  return size;
}
