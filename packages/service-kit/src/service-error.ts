/**
 * An error a service answers with a given HTTP status and a stable `code`. The error handler of
 * {@link runService} turns it into `{ error: { code, message, service? }, traceId }`.
 */
export class ServiceError extends Error {
  override name = 'ServiceError';

  constructor(
    /** Stable `AUTOBOT_ERR_<AREA>_<WHAT>` code. */
    readonly code: string,
    message: string,
    /** HTTP status of the answer. */
    readonly statusCode: number,
    options?: { cause?: unknown; service?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.service = options?.service;
  }

  /** The component that failed, when it is not this service (e.g. `npu-worker`). */
  readonly service: string | undefined;
}
