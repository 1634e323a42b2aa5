/**
 * Attribute keys and span names this package adds on top of `@autobot/tracing`'s conventions
 * (which hold the spec's `ssh.*` and `pki.*` keys).
 */

/** Parent span of one distribution run over several VMs. */
export const SPAN_PKI_DISTRIBUTE_RUN = 'pki.distribute_certificates';
/** Number of targets in the run. */
export const ATTR_PKI_TARGETS_TOTAL = 'pki.targets_total';
/** Number of targets that failed. */
export const ATTR_PKI_TARGETS_FAILED = 'pki.targets_failed';
/** Names of the VMs that received their certificates. */
export const ATTR_PKI_SUCCEEDED_VMS = 'pki.succeeded_vms';
/** Names of the VMs that failed. */
export const ATTR_PKI_FAILED_VMS = 'pki.failed_vms';
/** The run only planned, nothing was connected to. */
export const ATTR_PKI_DRY_RUN = 'pki.dry_run';
/** Concurrency limit of the run. */
export const ATTR_PKI_CONCURRENCY = 'pki.concurrency';
/** Span event on the parent span, one per target, with the target's outcome. */
export const EVENT_PKI_TARGET_RESULT = 'pki.target_result';

/** `pki.operation` values. */
export const PKI_OPERATION_INIT_CA = 'init_ca';
export const PKI_OPERATION_ISSUE = 'issue';
export const PKI_OPERATION_DISTRIBUTE = 'distribute';
export const PKI_OPERATION_DISTRIBUTE_RUN = 'distribute_run';
