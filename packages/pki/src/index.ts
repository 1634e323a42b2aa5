export { type CertificateAuthority, type InitCaOptions, initCa, loadCa } from './ca.js';
export {
  CaExistsError,
  CaMissingError,
  CertMissingError,
  PkiError,
  PkiOptionError,
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
export { type IssuedCertificate, type IssueRequest, issueCertificate } from './issue.js';
export { KEY_ALGORITHMS, type KeyAlgorithm } from './keys.js';
export { type CertPaths, certPaths, type PkiLayout, pkiLayout } from './layout.js';
export {
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
