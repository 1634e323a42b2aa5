import { recordError } from '@autobot/tracing';
import { type Attributes, type Span, trace } from '@opentelemetry/api';

/** Tracer name of this package. */
export const TRACER_NAME = 'autobot.pki';

/** The tracer of whatever provider the process registered (a no-op one if none). */
export function pkiTracer() {
  return trace.getTracer(TRACER_NAME, '0.1.0');
}

/**
 * Runs `fn` inside an active span named `name`: on success the status stays UNSET (OpenTelemetry
 * convention for instrumentation), on failure the error is recorded with the shared `recordError` and the same object is rethrown.
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return pkiTracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      safely(() => span.end());
    }
  });
}

/** Calls a tracing API without letting any exception escape into the traced program. */
export function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // tracing never breaks the traced program
  }
}
