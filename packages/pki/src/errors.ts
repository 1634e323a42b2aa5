/**
 * Error classes of `@autobot/pki`, one per failure mode, each with a stable `code`
 * (`AUTOBOT_ERR_PKI_<WHAT>`) and, for SSH distribution failures, a short `errorType` that becomes
 * the span's `ssh.error_type`. Messages never contain key material or passphrases.
 */

/** Base class: every error this package throws has a stable `code`. */
export class PkiError extends Error {
  /** Stable machine-readable code, never reused. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A programmer error: an invalid option passed in code. */
export class PkiOptionError extends PkiError {
  constructor(message: string) {
    super('AUTOBOT_ERR_PKI_INVALID_OPTION', message);
  }
}

/** A topology file or object that does not validate; `field` names the offending path. */
export class TopologyError extends PkiError {
  /** Dotted path of the invalid field, e.g. `vms.frontend.address`. */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('AUTOBOT_ERR_PKI_TOPOLOGY_INVALID', `${field}: ${message}`, options);
    this.field = field;
  }
}

/** The CA files are missing or unreadable. */
export class CaMissingError extends PkiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AUTOBOT_ERR_PKI_CA_MISSING', message, options);
  }
}

/** `initCa` refused to overwrite an existing CA. */
export class CaExistsError extends PkiError {
  constructor(message: string) {
    super('AUTOBOT_ERR_PKI_CA_EXISTS', message);
  }
}

/** A private key that cannot sign: not an unencrypted PEM key, or an unsupported type or curve. */
export class PkiKeyError extends PkiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AUTOBOT_ERR_PKI_KEY_INVALID', message, options);
  }
}

/** A certificate that should have been issued for a VM is missing or unreadable. */
export class CertMissingError extends PkiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AUTOBOT_ERR_PKI_CERT_MISSING', message, options);
  }
}

/**
 * The short failure classes a distribution can end with (`ssh.error_type`). Stable: dashboards and
 * queries (`ssh.error_type = auth_failed`) depend on them. See the README's table.
 */
export type SshErrorType =
  | 'auth_failed'
  | 'host_key_unknown'
  | 'host_key_mismatch'
  | 'connection_refused'
  | 'host_unreachable'
  | 'dns_failed'
  | 'timeout'
  | 'connection_lost'
  | 'permission_denied'
  | 'remote_path_missing'
  | 'disk_full'
  | 'sftp_error'
  | 'checksum_mismatch'
  | 'reload_failed'
  | 'local_key_error'
  | 'cert_missing'
  | 'ssh_error';

/**
 * The stable code of each failure class, written out so that grep finds every code
 * (`AUTOBOT_ERR_PKI_SSH_<CLASS>`); the README's table is checked against it.
 */
export const SSH_ERROR_CODES: Readonly<Record<SshErrorType, string>> = Object.freeze({
  auth_failed: 'AUTOBOT_ERR_PKI_SSH_AUTH_FAILED',
  host_key_unknown: 'AUTOBOT_ERR_PKI_SSH_HOST_KEY_UNKNOWN',
  host_key_mismatch: 'AUTOBOT_ERR_PKI_SSH_HOST_KEY_MISMATCH',
  connection_refused: 'AUTOBOT_ERR_PKI_SSH_CONNECTION_REFUSED',
  host_unreachable: 'AUTOBOT_ERR_PKI_SSH_HOST_UNREACHABLE',
  dns_failed: 'AUTOBOT_ERR_PKI_SSH_DNS_FAILED',
  timeout: 'AUTOBOT_ERR_PKI_SSH_TIMEOUT',
  connection_lost: 'AUTOBOT_ERR_PKI_SSH_CONNECTION_LOST',
  permission_denied: 'AUTOBOT_ERR_PKI_SSH_PERMISSION_DENIED',
  remote_path_missing: 'AUTOBOT_ERR_PKI_SSH_REMOTE_PATH_MISSING',
  disk_full: 'AUTOBOT_ERR_PKI_SSH_DISK_FULL',
  sftp_error: 'AUTOBOT_ERR_PKI_SSH_SFTP_ERROR',
  checksum_mismatch: 'AUTOBOT_ERR_PKI_SSH_CHECKSUM_MISMATCH',
  reload_failed: 'AUTOBOT_ERR_PKI_SSH_RELOAD_FAILED',
  local_key_error: 'AUTOBOT_ERR_PKI_SSH_LOCAL_KEY_ERROR',
  cert_missing: 'AUTOBOT_ERR_PKI_SSH_CERT_MISSING',
  ssh_error: 'AUTOBOT_ERR_PKI_SSH_SSH_ERROR',
});

/** Base class of every SSH distribution failure. */
export class SshDistributionError extends PkiError {
  /** The `ssh.error_type` value recorded on the span. */
  readonly errorType: SshErrorType;

  constructor(errorType: SshErrorType, message: string, options?: { cause?: unknown }) {
    super(SSH_ERROR_CODES[errorType], message, options);
    this.errorType = errorType;
  }
}

/** The server rejected every authentication method we offered. */
export class SshAuthError extends SshDistributionError {}
/** The server's host key is not in the known-hosts file, or differs from the one recorded there. */
export class SshHostKeyError extends SshDistributionError {}
/** TCP-level failure: refused, unreachable, name not resolved, or the connection dropped. */
export class SshConnectionError extends SshDistributionError {}
/** Connecting or one operation took longer than its configured timeout. */
export class SshTimeoutError extends SshDistributionError {}
/** An SFTP operation failed (permission, missing directory, disk full, protocol failure). */
export class SshSftpError extends SshDistributionError {}
/** The checksum read back after upload differs from the local file's. */
export class SshVerifyError extends SshDistributionError {}
/** The configured reload command exited non-zero or could not be started. */
export class SshReloadError extends SshDistributionError {}
/** A local input (private key, certificate files) could not be used. */
export class SshLocalError extends SshDistributionError {}
