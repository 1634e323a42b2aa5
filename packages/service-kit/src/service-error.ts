/**
 * The codes every reference service may answer with, whatever its own area: the kit's registry
 * (code → HTTP status → meaning), as fastify's `lib/errors.js` keeps one. A service's own codes
 * carry its area (`AUTOBOT_ERR_BACKEND_*`, `AUTOBOT_ERR_NPU_*`, …) and are listed in its README.
 */
export const SERVICE_ERRORS = Object.freeze({
  AUTOBOT_ERR_SERVICE_BAD_REQUEST: { status: 400, meaning: 'the request failed validation' },
  AUTOBOT_ERR_SERVICE_NOT_FOUND: {
    status: 404,
    meaning: 'no such route (the path is named, never the query)',
  },
  AUTOBOT_ERR_SERVICE_INTERNAL: { status: 500, meaning: 'an unexpected failure (logged with its trace id)' },
} as const);

/** One of the kit's own codes. */
export type ServiceErrorCode = keyof typeof SERVICE_ERRORS;

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
