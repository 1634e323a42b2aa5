// Counts the spans of an OTLP/protobuf ExportTraceServiceRequest per `service.name` by walking the
// protobuf framing only (opentelemetry-proto trace/v1/trace.proto): the span messages themselves
// are skipped, not decoded. The overhead run's sink uses it so the stand-in for the remote
// collector takes as little as it can of the two cores the traced services share.
import { WIRE_LEN, WireReader } from '../../packages/collector/dist/otlp/wire-reader.js';

// Field numbers (trace.proto, resource.proto, common.proto).
const REQUEST_RESOURCE_SPANS = 1;
const RESOURCE_SPANS_RESOURCE = 1;
const RESOURCE_SPANS_SCOPE_SPANS = 2;
const RESOURCE_ATTRIBUTES = 1;
const SCOPE_SPANS_SPANS = 2;
const KEY_VALUE_KEY = 1;
const KEY_VALUE_VALUE = 2;
const ANY_VALUE_STRING = 1;

/**
 * Adds the request's span count per service to `byService` (resources without a string
 * `service.name` count under `unknown_service`) and returns the total. Throws a WireError on a
 * malformed message.
 */
export function countSpans(bytes, byService) {
  const r = new WireReader(bytes);
  const end = bytes.length;
  let total = 0;
  while (r.pos < end) {
    const tag = r.varint32(end);
    if (tag >>> 3 !== REQUEST_RESOURCE_SPANS || (tag & 7) !== WIRE_LEN) {
      r.skip(tag & 7, end);
      continue;
    }
    const resourceSpansEnd = r.lengthEnd(end);
    let service = 'unknown_service';
    let spans = 0;
    while (r.pos < resourceSpansEnd) {
      const field = r.varint32(resourceSpansEnd);
      if ((field & 7) !== WIRE_LEN) {
        r.skip(field & 7, resourceSpansEnd);
      } else if (field >>> 3 === RESOURCE_SPANS_RESOURCE) {
        service = serviceName(r, r.lengthEnd(resourceSpansEnd)) ?? service;
      } else if (field >>> 3 === RESOURCE_SPANS_SCOPE_SPANS) {
        spans += countScopeSpans(r, r.lengthEnd(resourceSpansEnd));
      } else {
        r.skip(WIRE_LEN, resourceSpansEnd);
      }
    }
    byService[service] = (byService[service] ?? 0) + spans;
    total += spans;
  }
  return total;
}

function countScopeSpans(r, end) {
  let spans = 0;
  while (r.pos < end) {
    const field = r.varint32(end);
    if (field >>> 3 === SCOPE_SPANS_SPANS && (field & 7) === WIRE_LEN) spans++;
    r.skip(field & 7, end);
  }
  return spans;
}

/** The Resource's `service.name` string attribute, if any; leaves the reader at `end`. */
function serviceName(r, end) {
  let name;
  while (r.pos < end) {
    const field = r.varint32(end);
    if (field >>> 3 !== RESOURCE_ATTRIBUTES || (field & 7) !== WIRE_LEN) {
      r.skip(field & 7, end);
      continue;
    }
    const kvEnd = r.lengthEnd(end);
    let key;
    let value;
    while (r.pos < kvEnd) {
      const kvField = r.varint32(kvEnd);
      if ((kvField & 7) !== WIRE_LEN) {
        r.skip(kvField & 7, kvEnd);
      } else if (kvField >>> 3 === KEY_VALUE_KEY) {
        const keyEnd = r.lengthEnd(kvEnd);
        key = r.buf.toString('utf8', r.pos, keyEnd);
        r.pos = keyEnd;
      } else if (kvField >>> 3 === KEY_VALUE_VALUE) {
        value = stringValue(r, r.lengthEnd(kvEnd));
      } else {
        r.skip(WIRE_LEN, kvEnd);
      }
    }
    // The last `service.name` wins and a non-string or empty one means none, as in the collector.
    if (key === 'service.name') name = value || undefined;
  }
  return name;
}

function stringValue(r, end) {
  let value;
  while (r.pos < end) {
    const field = r.varint32(end);
    if (field >>> 3 === ANY_VALUE_STRING && (field & 7) === WIRE_LEN) {
      const valueEnd = r.lengthEnd(end);
      value = r.buf.toString('utf8', r.pos, valueEnd);
      r.pos = valueEnd;
    } else {
      r.skip(field & 7, end);
    }
  }
  return value;
}
