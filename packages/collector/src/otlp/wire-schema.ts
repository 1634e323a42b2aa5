import { WireError, type WireReader } from './wire-reader.js';

/*
 * The shape of the OTLP trace messages (opentelemetry-proto, the field numbers of `schema.ts`) and
 * the one way the decoder walks a message: field by field, each read as the schema declares it.
 * `checkMessage` walks a message it does not decode (a span rejected half way, the spans under a
 * rejected resource or scope, a value nested deeper than the decoder keeps) and checks every level
 * below it; `scanMessage` walks the message being decoded once and notes where each of its fields
 * is, so that the reader can take them in its own order; `nextField` steps through a repeated field
 * from where the scan first saw it. A known field is read as its declared type whatever its wire
 * type says, as protobufjs did; an unknown one is skipped by its wire type.
 */

/** OTLP message types, numbered for {@link SCHEMA}. */
export enum Msg {
  Request = 0,
  ResourceSpans = 1,
  Resource = 2,
  ScopeSpans = 3,
  Scope = 4,
  Span = 5,
  Event = 6,
  Link = 7,
  Status = 8,
  KeyValue = 9,
  AnyValue = 10,
  ArrayValue = 11,
  KeyValueList = 12,
}

/*
 * A field's spec: how its value is read (the low three bits, {@link READ}: 0 for an unknown field),
 * flags for the scan, and for a nested message its type (from bit {@link TYPE_SHIFT} on).
 */
const [VARINT, FIXED64, FIXED32, BYTES, MESSAGE, READ] = [1, 2, 3, 4, 5, 7];
/**
 * The scan checks this nested message on the spot (the reader takes it whole, before the rest).
 * One without nested messages of its own (`Status`) is scanned into its record instead, with the
 * same reads, and the reader takes it from there.
 */
const CHECKED = 8;
/**
 * A member of the message's oneof (`AnyValue.value`; `KeyValue.value` as a oneof of one): the last
 * one counts, and a nested message that a later member replaces is still checked (at depth 1).
 */
const ONEOF = 16;
/** A repeated field: the scan counts it and notes where it first came. */
const REPEATED = 32;
const TYPE_SHIFT = 6;

/** A nested message of type `m`. */
const msg = (m: Msg, flags = 0): number => MESSAGE | flags | (m << TYPE_SHIFT);
/** A repeated nested message of type `m`. */
const many = (m: Msg): number => msg(m, REPEATED);

/** Per message type, per field number: a spec (0 for an unknown field). */
const SCHEMA: readonly (readonly number[])[] = [
  /* Request */ [0, many(Msg.ResourceSpans)],
  /* ResourceSpans */ [0, msg(Msg.Resource, CHECKED), many(Msg.ScopeSpans), BYTES],
  /* Resource */ [0, many(Msg.KeyValue), VARINT],
  /* ScopeSpans */ [0, msg(Msg.Scope, CHECKED), many(Msg.Span), BYTES],
  /* Scope */ [0, BYTES, BYTES, many(Msg.KeyValue), VARINT],
  /* Span: ids, trace state, name, kind, times, attributes, events, links, status, flags */ [
    0,
    ...[BYTES, BYTES, BYTES, BYTES, BYTES, VARINT, FIXED64, FIXED64],
    ...[many(Msg.KeyValue), VARINT, many(Msg.Event), VARINT, many(Msg.Link), VARINT],
    ...[msg(Msg.Status, CHECKED), FIXED32],
  ],
  /* Event */ [0, FIXED64, BYTES, many(Msg.KeyValue), VARINT],
  /* Link */ [0, BYTES, BYTES, BYTES, many(Msg.KeyValue), VARINT, FIXED32],
  /* Status */ [0, 0, BYTES, VARINT],
  /* KeyValue */ [0, BYTES, msg(Msg.AnyValue, ONEOF)],
  /* AnyValue: string, bool, int, double, array, kvlist, bytes */ [
    0,
    ...[BYTES, VARINT, VARINT, FIXED64].map((read) => read | ONEOF),
    ...[msg(Msg.ArrayValue, ONEOF), msg(Msg.KeyValueList, ONEOF), BYTES | ONEOF],
  ],
  /* ArrayValue */ [0, many(Msg.AnyValue)],
  /* KeyValueList */ [0, many(Msg.KeyValue)],
];

/**
 * Messages nested deeper than this are malformed. protobufjs had no limit but the stack (a
 * `RangeError`, reported as a malformed request); the official libraries stop at 100 (C++) or
 * 10,000 (Go). Far more than any real attribute value needs: the decoder keeps 8 levels.
 */
export const MAX_MESSAGE_DEPTH = 512;

const specOf = (type: Msg, tag: number): number => {
  const fields = SCHEMA[type] as readonly number[];
  const field = tag >>> 3;
  return field < fields.length ? (fields[field] as number) : 0;
};

/**
 * Reads past the value of the field whose tag was just read, as `spec` says, checking a nested
 * message (at `depth` + 1).
 */
function skipValue(r: WireReader, spec: number, tag: number, end: number, depth: number): void {
  const read = spec & READ;
  if (read === VARINT) r.varint64(end);
  else if (read === FIXED64) r.fixed64(end);
  else if (read === FIXED32) r.fixed32(end);
  else if (read === 0) r.skip(tag & 7, end);
  else if (read === BYTES) r.pos = r.lengthEnd(end);
  else checkMessage(r, (spec >>> TYPE_SHIFT) as Msg, r.lengthEnd(end), depth + 1);
}

/**
 * Reads a message of type `type` ending at `end` without keeping anything, checking that it is
 * well formed (throws `WireError`). The cursor ends at `end`.
 */
export function checkMessage(r: WireReader, type: Msg, end: number, depth: number): void {
  if (depth > MAX_MESSAGE_DEPTH)
    throw new WireError(`message nested deeper than ${MAX_MESSAGE_DEPTH} levels`);
  while (r.pos < end) {
    const tag = r.varint32(end);
    skipValue(r, specOf(type, tag), tag, end, depth);
  }
}

/** Skips one field of a message being decoded: unknown fields by wire type, known ones by schema. */
export function skipField(r: WireReader, type: Msg, tag: number, end: number, depth: number): void {
  skipValue(r, specOf(type, tag), tag, end, depth);
}

/**
 * Steps to the next field `field` (a repeated, length-delimited one) of the message of type `type`
 * ending at `end`, skipping the others (nested messages checked at `depth` + 1). Returns where its
 * content ends, the cursor at its start; -1 at the end of the message.
 */
export function nextField(r: WireReader, type: Msg, field: number, end: number, depth: number): number {
  while (r.pos < end) {
    const tag = r.varint32(end);
    if (tag >>> 3 === field) return r.lengthEnd(end);
    skipField(r, type, tag, end, depth);
  }
  return -1;
}

/*
 * What a scan found, four numbers per field number n from 4n. A singular field's value as it last
 * came: a length-delimited one's content as its start and end offsets (start -1: absent), a varint
 * or fixed64 as its low and high 32 bits, a fixed32 as its 32 bits (0 when absent; the words are
 * stored as `int32`, `>>> 0` reads them unsigned). A repeated field's first tag offset and count,
 * at 4n + 2 and 4n + 3. The message's oneof is kept at field 0: its last member's value as above
 * and that member's field number at {@link ONEOF_FIELD} (0: none).
 */
export const ONEOF_FIELD = 2;

/** Per message type, the record a scan starts from: every field absent. */
const BLANK: readonly Int32Array[] = SCHEMA.map((fields) => {
  const blank = new Int32Array(4 * fields.length);
  fields.forEach((spec, n) => {
    if (spec !== 0 && (spec & (ONEOF | REPEATED)) === 0 && (spec & READ) >= BYTES)
      blank.fill(-1, 4 * n, 4 * n + 2);
  });
  return blank;
});

/** Per message type: it has no nested message fields (a {@link CHECKED} one is scanned, not checked). */
const LEAF: readonly boolean[] = SCHEMA.map((fields) => fields.every((spec) => (spec & READ) !== MESSAGE));

/** A record for each message type, for {@link scanMessage}. */
export function scanRecords(): Int32Array[] {
  return SCHEMA.map((fields) => new Int32Array(4 * fields.length));
}

/** The low 32 bits of scalar field `n` in a record of {@link scanMessage}, unsigned (0: absent). */
export const lowOf = (rec: Int32Array, n: number): number => (rec[4 * n] as number) >>> 0;
/** The high 32 bits of varint or fixed64 field `n` in a record of {@link scanMessage}, unsigned. */
export const highOf = (rec: Int32Array, n: number): number => (rec[4 * n + 1] as number) >>> 0;
/** Where repeated field `n`'s first tag is, in a record of {@link scanMessage} (when it came at all). */
export const firstOf = (rec: Int32Array, n: number): number => rec[4 * n + 2] as number;
/** How many times repeated field `n` came, in a record of {@link scanMessage}. */
export const countOf = (rec: Int32Array, n: number): number => rec[4 * n + 3] as number;
/** Where length-delimited field `n`'s content starts and ends (-1, -1: absent), in a record of {@link scanMessage}. */
export const startOf = (rec: Int32Array, n: number): number => rec[4 * n] as number;
export const endOf = (rec: Int32Array, n: number): number =>
  (rec[4 * n] as number) < 0 ? -1 : (rec[4 * n + 1] as number);

/** Checks the oneof member (of spec `replaced`) in `rec` that a later one replaces, if a message. */
function checkReplaced(r: WireReader, replaced: number, rec: Int32Array): void {
  if ((replaced & READ) !== MESSAGE) return;
  const at = r.pos;
  r.pos = rec[0] as number;
  checkMessage(r, (replaced >>> TYPE_SHIFT) as Msg, rec[1] as number, 1);
  r.pos = at;
}

/**
 * Reads the fields of a message of type `type` from the cursor to `end` once, noting in its record
 * (of {@link scanRecords}) what each one is. Length-delimited values are not read, only nested messages
 * marked {@link CHECKED} are checked (at `depth` + 1); a oneof member that a later one replaces is
 * checked at depth 1 (as the decoder always did). The cursor ends at `end`.
 */
export function scanMessage(
  r: WireReader,
  type: Msg,
  end: number,
  depth: number,
  records: Int32Array[],
): void {
  const fields = SCHEMA[type] as readonly number[];
  const rec = records[type] as Int32Array;
  rec.set(BLANK[type] as Int32Array);
  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = r.varint32(end);
    const field = tag >>> 3;
    const spec = field < fields.length ? (fields[field] as number) : 0;
    if (spec === 0) {
      r.skip(tag & 7, end);
      continue;
    }
    let o = 4 * field;
    if ((spec & REPEATED) !== 0) {
      // Every repeated field is a nested message, read later.
      const count = rec[o + 3] as number;
      if (count === 0) rec[o + 2] = tagAt;
      rec[o + 3] = count + 1;
      r.pos = r.lengthEnd(end);
      continue;
    }
    if ((spec & ONEOF) !== 0) {
      const replaced = rec[ONEOF_FIELD] as number;
      if (replaced !== 0) checkReplaced(r, fields[replaced] as number, rec);
      rec[ONEOF_FIELD] = field;
      o = 0;
    }
    const read = spec & READ;
    if (read >= BYTES) {
      const contentEnd = r.lengthEnd(end);
      rec[o] = r.pos;
      rec[o + 1] = contentEnd;
      if ((spec & CHECKED) === 0) r.pos = contentEnd;
      else if (LEAF[spec >>> TYPE_SHIFT]) scanMessage(r, spec >>> TYPE_SHIFT, contentEnd, depth + 1, records);
      else checkMessage(r, (spec >>> TYPE_SHIFT) as Msg, contentEnd, depth + 1);
    } else if (read === VARINT) {
      rec[o] = r.varint64(end);
      rec[o + 1] = r.hi;
    } else if (read === FIXED64) {
      rec[o] = r.fixed64(end);
      rec[o + 1] = r.hi;
    } else rec[o] = r.fixed32(end);
  }
}
