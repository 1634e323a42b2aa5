/**
 * Attribute keys and span names of certificate issuance and distribution: the spec's `ssh.*` and
 * `pki.*` keys and this package's additions.
 */

// ── SSH / PKI (spec) ────────────────────────────────────────────────────────
export const ATTR_SSH_TARGET_VM = 'ssh.target_vm';
export const ATTR_SSH_TARGET_IP = 'ssh.target_ip';
export const ATTR_SSH_USER = 'ssh.user';
export const ATTR_SSH_FILES_COPIED = 'ssh.files_copied';
/** Short machine-readable failure class, e.g. `auth_failed`, `host_key_mismatch`, `timeout`. */
export const ATTR_SSH_ERROR_TYPE = 'ssh.error_type';
export const ATTR_PKI_OPERATION = 'pki.operation';
export const ATTR_PKI_SUBJECT = 'pki.subject';
export const ATTR_PKI_SERIAL = 'pki.serial';
export const ATTR_PKI_NOT_AFTER = 'pki.not_after';

// ── Span names ───────────────────────────────────────────────────────────────
export const SPAN_SSH_DISTRIBUTE_CERTIFICATES = 'ssh.distribute_certificates';
export const SPAN_PKI_ISSUE_CERTIFICATE = 'pki.issue_certificate';

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
/** Names of the files a VM is to receive (`ca.crt`, `server.key`, …): names only, never content. */
export const ATTR_PKI_FILES = 'pki.files';
/** Span event on the parent span, one per target, with the target's outcome. */
export const EVENT_PKI_TARGET_RESULT = 'pki.target_result';

/** `pki.operation` values. */
export const PKI_OPERATION_INIT_CA = 'init_ca';
export const PKI_OPERATION_ISSUE = 'issue';
export const PKI_OPERATION_DISTRIBUTE = 'distribute';
export const PKI_OPERATION_DISTRIBUTE_RUN = 'distribute_run';
