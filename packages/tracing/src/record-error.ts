import { type Span, SpanStatusCode } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from './semconv.js';

/**
 * The one way every AutoBot component records a failure on a span (the spec's error recording):
 * status ERROR with the message, the exception as an event, and `error.type` set to the error's
 * type (see {@link errorTypeOf}).
 *
 * Never throws, whatever `error` is (a string, `null`, an object with a throwing getter…), and
 * does nothing on a span that is not recording.
 */
export function recordError(span: Span, error: unknown): void {
  try {
    if (!span.isRecording()) return;
    const normalized = toError(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: normalized.message });
    const type = errorTypeOf(normalized);
    // The exception event carries the class name too (a subclass often leaves `name` as "Error").
    span.recordException({ name: type, message: normalized.message, stack: normalized.stack });
    span.setAttribute(ATTR_ERROR_TYPE, type);
  } catch {
    // Tracing must never break the traced program: a hostile error object is simply not recorded.
  }
}

/** The `error.type` value for an error: its class name, or its `code` for a plain `Error`. */
export function errorTypeOf(error: unknown): string {
  if (error instanceof Error) {
    // A name a library set on purpose (`ReplyError`, `AbortError`) beats the class name, which
    // may be an internal base class; a subclass that left `name` as "Error" is named by its class.
    if (error.name && error.name !== 'Error') return error.name;
    const className = error.constructor?.name;
    if (className && className !== 'Error') return className;
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && code.length > 0 ? code : 'Error';
  }
  return error === null ? 'null' : typeof error;
}

function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'string') return new Error(error);
  let text: string;
  try {
    text = JSON.stringify(error) ?? String(error);
  } catch {
    text = Object.prototype.toString.call(error);
  }
  return new Error(text);
}
