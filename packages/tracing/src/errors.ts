/** Base class of the tracing library's own errors; `code` is stable, assert on it. */
export class TracingError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A code option passed to the tracing library is invalid (a programmer error). */
export class TracingConfigError extends TracingError {
  constructor(message: string) {
    super('AUTOBOT_ERR_TRACING_INVALID_OPTION', message);
  }
}
