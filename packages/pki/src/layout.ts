import { join } from 'node:path';

/** Where the CA and the issued certificates live under one PKI directory. */
export interface PkiLayout {
  /** The PKI root directory. */
  readonly root: string;
  /** CA certificate (PEM, 0644). */
  readonly caCertPath: string;
  /** CA private key (PKCS#8 PEM, 0600). */
  readonly caKeyPath: string;
}

/** Paths of one VM's issued certificate and key. */
export interface CertPaths {
  /** Leaf certificate (PEM, 0644). */
  readonly certPath: string;
  /** Leaf private key (PKCS#8 PEM, 0600). */
  readonly keyPath: string;
}

/** The layout of a PKI directory: `ca/ca.crt`, `ca/ca.key`, `certs/<vm>/server.{crt,key}`. */
export function pkiLayout(root: string): PkiLayout {
  return { root, caCertPath: join(root, 'ca', 'ca.crt'), caKeyPath: join(root, 'ca', 'ca.key') };
}

/** Paths of the certificate issued for `name` under `root`. */
export function certPaths(root: string, name: string): CertPaths {
  return {
    certPath: join(root, 'certs', name, 'server.crt'),
    keyPath: join(root, 'certs', name, 'server.key'),
  };
}

/** Paths of the client certificate issued for `name` (profile `client`): `certs/<name>/client.{crt,key}`. */
export function clientCertPaths(root: string, name: string): CertPaths {
  return {
    certPath: join(root, 'certs', name, 'client.crt'),
    keyPath: join(root, 'certs', name, 'client.key'),
  };
}
