import { WireError, type WireReader } from './wire-reader.js';

/*
 * The shape of the OTLP trace messages (opentelemetry-proto, the field numbers of `schema.ts`) as
 * the wire reader needs it to check a message it does not decode: a span rejected half way, the
 * spans under a rejected resource or scope, a value nested deeper than the decoder keeps. A
 * known field is read as its declared type whatever its wire type says, as protobufjs did.
 */

/** How a field is read. */
enum Kind {
  Unknown = 0,
  Varint = 1,
  Fixed64 = 2,
  Fixed32 = 3,
  Bytes = 4,
}

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

/** A nested message of type `m`. */
const msg = (m: Msg): number => 16 + m;

/** Per message type, per field number: a {@link Kind}, or 16 + the nested message type. */
const SCHEMA: readonly (readonly number[])[] = [
  /* Request */ [0, msg(Msg.ResourceSpans)],
  /* ResourceSpans */ [0, msg(Msg.Resource), msg(Msg.ScopeSpans), Kind.Bytes],
  /* Resource */ [0, msg(Msg.KeyValue), Kind.Varint],
  /* ScopeSpans */ [0, msg(Msg.Scope), msg(Msg.Span), Kind.Bytes],
  /* Scope */ [0, Kind.Bytes, Kind.Bytes, msg(Msg.KeyValue), Kind.Varint],
  /* Span */ [
    0,
    Kind.Bytes,
    Kind.Bytes,
    Kind.Bytes,
    Kind.Bytes,
    Kind.Bytes,
    Kind.Varint,
    Kind.Fixed64,
    Kind.Fixed64,
    msg(Msg.KeyValue),
    Kind.Varint,
    msg(Msg.Event),
    Kind.Varint,
    msg(Msg.Link),
    Kind.Varint,
    msg(Msg.Status),
    Kind.Fixed32,
  ],
  /* Event */ [0, Kind.Fixed64, Kind.Bytes, msg(Msg.KeyValue), Kind.Varint],
  /* Link */ [0, Kind.Bytes, Kind.Bytes, Kind.Bytes, msg(Msg.KeyValue), Kind.Varint, Kind.Fixed32],
  /* Status */ [0, 0, Kind.Bytes, Kind.Varint],
  /* KeyValue */ [0, Kind.Bytes, msg(Msg.AnyValue)],
  /* AnyValue */ [
    0,
    Kind.Bytes,
    Kind.Varint,
    Kind.Varint,
    Kind.Fixed64,
    msg(Msg.ArrayValue),
    msg(Msg.KeyValueList),
    Kind.Bytes,
  ],
  /* ArrayValue */ [0, msg(Msg.AnyValue)],
  /* KeyValueList */ [0, msg(Msg.KeyValue)],
];

/**
 * Messages nested deeper than this are malformed. protobufjs had no limit but the stack (a
 * `RangeError`, reported as a malformed request); the official libraries stop at 100 (C++) or
 * 10,000 (Go). Far more than any real attribute value needs: the decoder keeps 8 levels.
 */
export const MAX_MESSAGE_DEPTH = 512;

/**
 * Reads a message of type `type` ending at `end` without keeping anything, checking that it is
 * well formed (throws `WireError`). The cursor ends at `end`.
 */
export function checkMessage(r: WireReader, type: Msg, end: number, depth: number): void {
  if (depth > MAX_MESSAGE_DEPTH)
    throw new WireError(`message nested deeper than ${MAX_MESSAGE_DEPTH} levels`);
  const fields = SCHEMA[type] as readonly number[];
  while (r.pos < end) {
    const tag = r.varint32(end);
    const field = tag >>> 3;
    const kind = field < fields.length ? (fields[field] as number) : Kind.Unknown;
    switch (kind) {
      case Kind.Unknown:
        r.skip(tag & 7, end);
        break;
      case Kind.Varint:
        r.varint64(end);
        break;
      case Kind.Fixed64:
        r.fixed64(end);
        break;
      case Kind.Fixed32:
        r.fixed32(end);
        break;
      case Kind.Bytes:
        r.pos = r.lengthEnd(end);
        break;
      default: {
        const subEnd = r.lengthEnd(end);
        checkMessage(r, (kind - 16) as Msg, subEnd, depth + 1);
      }
    }
  }
}

/** Skips one field of a message being decoded: unknown fields by wire type, known ones by schema. */
export function skipField(r: WireReader, type: Msg, tag: number, end: number, depth: number): void {
  const fields = SCHEMA[type] as readonly number[];
  const field = tag >>> 3;
  const kind = field < fields.length ? (fields[field] as number) : Kind.Unknown;
  if (kind === Kind.Unknown) r.skip(tag & 7, end);
  else if (kind < 16) {
    if (kind === Kind.Varint) r.varint64(end);
    else if (kind === Kind.Fixed64) r.fixed64(end);
    else if (kind === Kind.Fixed32) r.fixed32(end);
    else r.pos = r.lengthEnd(end);
  } else {
    const subEnd = r.lengthEnd(end);
    checkMessage(r, (kind - 16) as Msg, subEnd, depth + 1);
  }
}
