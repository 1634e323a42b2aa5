export { type CertificateAuthority, type InitCaOptions, initCa, loadCa } from './ca.js';
export { CLIENT_REMOTE_FILES, COLLECTOR_REMOTE_FILES, REMOTE_FILES } from './delivery-plan.js';
export {
  type DistributeOptions,
  type DistributionRun,
  distributeCertificates,
  type TargetResult,
} from './distributor.js';
export {
  CaExistsError,
  CaMissingError,
  CertMissingError,
  PkiError,
  PkiKeyError,
  PkiOptionError,
  SSH_ERROR_CODES,
  SshAuthError,
  SshConnectionError,
  SshDistributionError,
  type SshErrorType,
  SshHostKeyError,
  SshLocalError,
  SshReloadError,
  SshSftpError,
  SshTimeoutError,
  SshVerifyError,
  TopologyError,
} from './errors.js';
export { CERT_FILE_MODE, KEY_FILE_MODE } from './files.js';
export {
  CERTIFICATE_PROFILES,
  type CertificateProfile,
  type IssuedCertificate,
  type IssueRequest,
  issueCertificate,
} from './issue.js';
export { KEY_ALGORITHMS, type KeyAlgorithm } from './keys.js';
export { type HostKeyVerdict, hashHostName, hostEntryName, KnownHosts } from './known-hosts.js';
export { type CertPaths, certPaths, clientCertPaths, type PkiLayout, pkiLayout } from './layout.js';
export { TMP_PREFIX } from './remote-files.js';
export {
  ATTR_PKI_CONCURRENCY,
  ATTR_PKI_DRY_RUN,
  ATTR_PKI_FAILED_VMS,
  ATTR_PKI_FILES,
  ATTR_PKI_SUCCEEDED_VMS,
  ATTR_PKI_TARGETS_FAILED,
  ATTR_PKI_TARGETS_TOTAL,
  EVENT_PKI_TARGET_RESULT,
  PKI_OPERATION_DISTRIBUTE,
  PKI_OPERATION_DISTRIBUTE_RUN,
  PKI_OPERATION_INIT_CA,
  PKI_OPERATION_ISSUE,
  SPAN_PKI_DISTRIBUTE_RUN,
} from './semconv.js';
export {
  COLLECTOR_CERT_NAME,
  type CollectorPlacement,
  certificateSubjectFor,
  loadTopology,
  localPath,
  MAIN_HOST_NAME,
  type MainHost,
  parseTopology,
  type SshSettings,
  type Topology,
  VM_NAMES,
  type VmName,
  type VmTarget,
} from './topology.js';
