import type { Attributes, AttributeValue, HrTime, Link, SpanContext } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { ProtoWriter, varintSize } from './proto-writer.js';

/**
 * OTLP protobuf encoding of ended spans (opentelemetry/proto/trace/v1/trace.proto), field for
 * field as `@opentelemetry/otlp-transformer`'s ProtobufTraceSerializer writes them (same int vs
 * double rule, flags with the is-remote bits, status always present), but in two steps: each span
 * is encoded to its `Span` message when it ends ({@link encodeSpan}), and a batch of encoded spans
 * is wrapped in the `ExportTraceServiceRequest` envelope at export ({@link encodeRequest}), with
 * the resource and scope messages encoded once and reused. A queued span then holds a few hundred
 * bytes instead of the SDK's span object graph, which the garbage collector no longer has to
 * promote and trace while it waits for export.
 */

/** A span reduced to its encoded `Span` message, with what the envelope needs. */
export interface EncodedSpan {
  readonly bytes: Buffer;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
}

// OTLP span flags (trace.proto SpanFlags): bits 8 and 9 say whether the parent was remote.
const FLAG_HAS_IS_REMOTE = 0x100;
const FLAG_IS_REMOTE = 0x200;
// int64 bounds as exact doubles: integers outside them are written as double_value.
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

const spanWriter = new ProtoWriter();

/** The `Span` message of an ended span. */
export function encodeSpan(span: ReadableSpan): Buffer {
  const w = spanWriter;
  w.reset();
  const ctx = span.spanContext();
  contextFields(w, ctx);
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    w.tag(4, 2);
    w.hexBytes(parent.spanId);
  }
  w.tag(5, 2);
  w.string(span.name);
  // The API's kinds start at INTERNAL = 0; OTLP reserves 0 for "unspecified".
  if (span.kind != null) {
    w.tag(6, 0);
    w.varint(span.kind + 1);
  }
  w.tag(7, 1);
  hrTime(w, span.startTime);
  w.tag(8, 1);
  hrTime(w, span.endTime);
  attributes(w, span.attributes, 9);
  w.tag(10, 0);
  w.varint(span.droppedAttributesCount);
  for (const event of span.events) {
    w.tag(11, 2);
    encodeEvent(w, event);
  }
  w.tag(12, 0);
  w.varint(span.droppedEventsCount);
  for (const link of span.links) {
    w.tag(13, 2);
    encodeLink(w, link);
  }
  w.tag(14, 0);
  w.varint(span.droppedLinksCount);
  w.tag(15, 2);
  const status = w.begin();
  if (span.status.message) {
    w.tag(2, 2);
    w.string(span.status.message);
  }
  w.tag(3, 0);
  w.varint(span.status.code);
  w.end(status);
  w.tag(16, 5);
  w.fixed32(spanFlags(ctx.traceFlags, parent?.isRemote));
  return w.copy();
}

/** Fields 1–3, the same in `Span` and `Span.Link`: trace id, span id, trace state (when any). */
function contextFields(w: ProtoWriter, ctx: SpanContext): void {
  w.tag(1, 2);
  w.hexBytes(ctx.traceId);
  w.tag(2, 2);
  w.hexBytes(ctx.spanId);
  const traceState = ctx.traceState?.serialize();
  if (traceState) {
    w.tag(3, 2);
    w.string(traceState);
  }
}

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | FLAG_HAS_IS_REMOTE | (isRemote ? FLAG_IS_REMOTE : 0);
}

function encodeEvent(w: ProtoWriter, event: TimedEvent): void {
  const start = w.begin();
  w.tag(1, 1);
  hrTime(w, event.time);
  w.tag(2, 2);
  w.string(event.name);
  if (event.attributes) attributes(w, event.attributes, 3);
  w.tag(4, 0);
  w.varint(event.droppedAttributesCount ?? 0);
  w.end(start);
}

function encodeLink(w: ProtoWriter, link: Link): void {
  const start = w.begin();
  const ctx = link.context;
  contextFields(w, ctx);
  if (link.attributes) attributes(w, link.attributes, 4);
  w.tag(5, 0);
  w.varint(link.droppedAttributesCount ?? 0);
  w.tag(6, 5);
  w.fixed32(spanFlags(ctx.traceFlags, ctx.isRemote));
  w.end(start);
}

/** Nanoseconds since the epoch as fixed64, exactly (an HrTime's seconds × 1e9 exceed 2^53). */
function hrTime(w: ProtoWriter, [seconds, nanos]: HrTime): void {
  // seconds × 1e9 + nanos split into 32-bit words without losing precision: seconds is split at
  // bit 16 so each product stays below 2^53.
  const lowPart = (seconds & 0xffff) * 1e9;
  const highPart = Math.floor(seconds / 0x10000) * 1e9;
  const low = (lowPart % 0x100000000) + (highPart % 0x10000) * 0x10000 + nanos;
  const high =
    Math.floor(lowPart / 0x100000000) + Math.floor(highPart / 0x10000) + Math.floor(low / 0x100000000);
  w.fixed64(low >>> 0, high >>> 0);
}

function attributes(w: ProtoWriter, values: Attributes, field: number): void {
  for (const key in values) {
    if (!Object.hasOwn(values, key)) continue;
    w.tag(field, 2);
    const value = values[key];
    const cached = cachedKeyValue(key, value);
    if (cached !== undefined) w.raw(cached);
    else keyValue(w, key, value);
  }
}

/**
 * Encoded `KeyValue` messages (length prefix included) of attributes whose values repeat from
 * span to span: method, scheme, route, addresses, ports, status codes, model names. Only short
 * strings and safe integers are kept, at most {@link MAX_VALUES_PER_KEY} per key: a key whose
 * values are all different (a URL with ids, a duration) stops adding after that and costs one
 * lookup per span.
 */
const keyValueCache = new Map<string, Map<string | number, Buffer>>();
const MAX_CACHED_KEYS = 256;
const MAX_VALUES_PER_KEY = 16;
const MAX_CACHED_STRING = 64;
const cacheWriter = new ProtoWriter(256);

function cachedKeyValue(key: string, value: unknown): Buffer | undefined {
  if (typeof value === 'string') {
    if (value.length > MAX_CACHED_STRING) return undefined;
  } else if (!Number.isSafeInteger(value)) return undefined;
  let byValue = keyValueCache.get(key);
  if (byValue === undefined) {
    if (keyValueCache.size >= MAX_CACHED_KEYS || key.length > MAX_CACHED_STRING) return undefined;
    byValue = new Map();
    keyValueCache.set(key, byValue);
  }
  let bytes = byValue.get(value as string | number);
  if (bytes === undefined && byValue.size < MAX_VALUES_PER_KEY) {
    cacheWriter.reset();
    keyValue(cacheWriter, key, value);
    bytes = cacheWriter.copy();
    byValue.set(value as string | number, bytes);
  }
  return bytes;
}

function keyValue(w: ProtoWriter, key: string, value: unknown): void {
  const start = w.begin();
  w.tag(1, 2);
  w.string(key);
  w.tag(2, 2);
  const inner = w.begin();
  anyValue(w, value);
  w.end(inner);
  w.end(start);
}

function anyValue(w: ProtoWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      w.tag(1, 2);
      w.string(value);
      return;
    case 'boolean':
      w.tag(2, 0);
      w.varint(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
        w.tag(3, 0);
        w.int64(value);
      } else {
        w.tag(4, 1);
        w.double(value);
      }
      return;
  }
  if (value instanceof Uint8Array) {
    w.tag(7, 2);
    w.bytes(value);
  } else if (Array.isArray(value)) {
    w.tag(5, 2);
    const array = w.begin();
    for (const item of value as AttributeValue[]) {
      w.tag(1, 2);
      const start = w.begin();
      anyValue(w, item);
      w.end(start);
    }
    w.end(array);
  } else if (typeof value === 'object' && value !== null) {
    w.tag(6, 2);
    const list = w.begin();
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      w.tag(1, 2);
      keyValue(w, key, (value as Record<string, unknown>)[key]);
    }
    w.end(list);
  }
  // null, undefined and other types: an empty AnyValue, as the SDK's serializer writes.
}

const resourceMessages = new WeakMap<Resource, Buffer>();
const scopeMessages = new Map<string, Buffer>();
/** Scopes are few (one per tracer name/version); the bound only guards against misuse. */
const MAX_SCOPES = 1024;

function resourceMessage(resource: Resource): Buffer {
  let bytes = resourceMessages.get(resource);
  if (bytes === undefined) {
    const w = new ProtoWriter(1024);
    attributes(w, resource.attributes, 1);
    w.tag(2, 0);
    w.varint(0);
    bytes = w.copy();
    // Only a settled resource is cached: async attributes may still arrive.
    if (!resource.asyncAttributesPending) resourceMessages.set(resource, bytes);
  }
  return bytes;
}

function scopeKey(scope: InstrumentationScope): string {
  return `${scope.name}@${scope.version ?? ''}:${scope.schemaUrl ?? ''}`;
}

function scopeMessage(key: string, scope: InstrumentationScope): Buffer {
  let bytes = scopeMessages.get(key);
  if (bytes === undefined) {
    const w = new ProtoWriter(256);
    w.tag(1, 2);
    w.string(scope.name);
    if (scope.version) {
      w.tag(2, 2);
      w.string(scope.version);
    }
    bytes = w.copy();
    if (scopeMessages.size >= MAX_SCOPES) scopeMessages.clear();
    scopeMessages.set(key, bytes);
  }
  return bytes;
}

/** Size of a length-delimited field with a one-byte tag holding `length` bytes. */
const fieldSize = (length: number): number => 1 + varintSize(length) + length;

interface ScopeGroup {
  scope: InstrumentationScope;
  message: Buffer;
  spans: EncodedSpan[];
  size: number;
}

/** The `ExportTraceServiceRequest` carrying `spans`, grouped by resource, then by scope. */
export function encodeRequest(spans: readonly EncodedSpan[]): Uint8Array {
  const byResource = new Map<Resource, Map<string, ScopeGroup>>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (scopes === undefined) {
      scopes = new Map();
      byResource.set(span.resource, scopes);
    }
    const key = scopeKey(span.scope);
    let group = scopes.get(key);
    if (group === undefined) {
      const message = scopeMessage(key, span.scope);
      group = { scope: span.scope, message, spans: [], size: fieldSize(message.length) };
      scopes.set(key, group);
    }
    group.spans.push(span);
    group.size += fieldSize(span.bytes.length);
  }
  // Sizes first, so each length is written once and nothing is shifted.
  const plan: { resource: Resource; message: Buffer; groups: ScopeGroup[]; size: number }[] = [];
  let total = 0;
  for (const [resource, scopes] of byResource) {
    const message = resourceMessage(resource);
    let size = fieldSize(message.length);
    const groups = [...scopes.values()];
    for (const group of groups) {
      if (group.scope.schemaUrl) group.size += fieldSize(Buffer.byteLength(group.scope.schemaUrl));
      size += fieldSize(group.size);
    }
    if (resource.schemaUrl) size += fieldSize(Buffer.byteLength(resource.schemaUrl));
    plan.push({ resource, message, groups, size });
    total += fieldSize(size);
  }
  const w = new ProtoWriter(total);
  for (const { resource, message, groups, size } of plan) {
    w.tag(1, 2);
    w.varint(size);
    w.tag(1, 2);
    w.varint(message.length);
    w.raw(message);
    for (const group of groups) {
      w.tag(2, 2);
      w.varint(group.size);
      w.tag(1, 2);
      w.varint(group.message.length);
      w.raw(group.message);
      for (const span of group.spans) {
        w.tag(2, 2);
        w.varint(span.bytes.length);
        w.raw(span.bytes);
      }
      if (group.scope.schemaUrl) {
        w.tag(3, 2);
        w.string(group.scope.schemaUrl);
      }
    }
    if (resource.schemaUrl) {
      w.tag(3, 2);
      w.string(resource.schemaUrl);
    }
  }
  return w.buffer.subarray(0, w.pos);
}
