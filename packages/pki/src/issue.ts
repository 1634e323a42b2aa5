import { isIP } from 'node:net';
import { type CertificateAuthority, checkCommonName, checkValidity, randomSerial } from './ca.js';
import { PkiOptionError } from './errors.js';
import { CERT_FILE_MODE, KEY_FILE_MODE, writeFileAtomic } from './files.js';
import {
  exportPrivateKeyPem,
  generateKeyPair,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  signingAlgorithmOf,
} from './keys.js';
import { type CertPaths, certPaths, clientCertPaths } from './layout.js';
import {
  ATTR_PKI_NOT_AFTER,
  ATTR_PKI_OPERATION,
  ATTR_PKI_SERIAL,
  ATTR_PKI_SUBJECT,
  PKI_OPERATION_ISSUE,
  SPAN_PKI_ISSUE_CERTIFICATE,
} from './semconv.js';
import { inSpan, safely } from './tracer.js';
import { x509 } from './x509.js';

const DAY_MS = 86_400_000;
const NAME_RE = /^[a-z0-9]([a-z0-9-]{0,62})$/;
const DNS_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * Certificate profiles. `server` (default): extendedKeyUsage serverAuth + clientAuth, at least one
 * DNS/IP subjectAltName, files `server.{crt,key}` — for a VM's services and for the collector's
 * listeners (give the collector's DNS names and IPs). `client`: clientAuth only, SANs optional,
 * files `client.{crt,key}` — the identity a service presents to the collector (mutual TLS).
 */
export type CertificateProfile = 'server' | 'client';

/** The profiles `issue` knows. */
export const CERTIFICATE_PROFILES: readonly CertificateProfile[] = ['server', 'client'];

/** What to issue a certificate for. */
export interface IssueRequest {
  /** Service / VM name (`frontend`, `redis`, …): lowercase, used as the directory name. */
  name: string;
  /** Subject common name. Default: the first DNS name, else `name`. */
  commonName?: string;
  /** DNS subjectAltNames. */
  dnsNames?: readonly string[];
  /** IP subjectAltNames (v4 or v6). */
  ipAddresses?: readonly string[];
  /** Validity in days, 1–825 (the CA/B limit browsers still enforce). Default 397. Capped at the CA's expiry. */
  validityDays?: number;
  /** Default `ecdsa-p256`. */
  keyAlgorithm?: KeyAlgorithm;
  /** Default `server`. */
  profile?: CertificateProfile;
  /** Clock, for tests. */
  now?: Date;
}

/** An issued certificate (the private key stays on disk only). */
export interface IssuedCertificate extends CertPaths {
  readonly name: string;
  readonly subject: string;
  /** Hex serial number. */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly certPem: string;
}

/**
 * Issues a TLS server certificate signed by `ca` for one service: subjectAltName with the given DNS
 * names and IPs, keyUsage digitalSignature (+ keyEncipherment for RSA), extendedKeyUsage
 * serverAuth + clientAuth (services talk mTLS to each other), basicConstraints CA:false, subject and
 * authority key identifiers. Writes `certs/<name>/server.key` (0600) and `server.crt` (0644) under
 * the CA's PKI directory, replacing a previous pair atomically.
 *
 * Emits a `pki.issue_certificate` span (`pki.operation=issue`, `pki.subject`, `pki.serial`,
 * `pki.not_after`); key material never reaches the span.
 *
 * @throws PkiOptionError when the name, a SAN or the validity is invalid.
 */
export async function issueCertificate(
  ca: CertificateAuthority,
  request: IssueRequest,
): Promise<IssuedCertificate> {
  const valid = validateRequest(request);
  return inSpan(
    SPAN_PKI_ISSUE_CERTIFICATE,
    { [ATTR_PKI_OPERATION]: PKI_OPERATION_ISSUE, [ATTR_PKI_SUBJECT]: valid.subject },
    async (span) => {
      const keys = await generateKeyPair(valid.keyAlgorithm);
      const certificate = await signLeaf(ca, keys, valid, request.now ?? new Date());
      safely(() => {
        span.setAttribute(ATTR_PKI_SERIAL, certificate.serialNumber);
        span.setAttribute(ATTR_PKI_NOT_AFTER, certificate.notAfter.toISOString());
      });
      const paths = (valid.profile === 'client' ? clientCertPaths : certPaths)(ca.layout.root, valid.name);
      const certPem = certificate.toString('pem');
      // Key first: a certificate on disk without its key would be unusable.
      await writeFileAtomic(paths.keyPath, await exportPrivateKeyPem(keys.privateKey), KEY_FILE_MODE);
      await writeFileAtomic(paths.certPath, `${certPem}\n`, CERT_FILE_MODE);
      return {
        ...paths,
        name: valid.name,
        subject: valid.subject,
        serial: certificate.serialNumber,
        notBefore: certificate.notBefore,
        notAfter: certificate.notAfter,
        certPem,
      };
    },
  );
}

/** An {@link IssueRequest} checked and with defaults applied. */
interface ValidRequest {
  readonly name: string;
  readonly subject: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly profile: CertificateProfile;
  readonly validityDays: number;
  readonly keyAlgorithm: KeyAlgorithm;
}

/** @throws PkiOptionError naming the invalid field. */
function validateRequest(request: IssueRequest): ValidRequest {
  const { name } = request;
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new PkiOptionError(`name must match ${NAME_RE.source}, got ${JSON.stringify(name)}`);
  }
  const dnsNames = [...(request.dnsNames ?? [])];
  const ipAddresses = [...(request.ipAddresses ?? [])];
  for (const dns of dnsNames) {
    if (typeof dns !== 'string' || dns.length > 253 || !DNS_RE.test(dns)) {
      throw new PkiOptionError(`dnsNames: ${JSON.stringify(dns)} is not a valid DNS name`);
    }
  }
  for (const ip of ipAddresses) {
    if (typeof ip !== 'string' || isIP(ip) === 0) {
      throw new PkiOptionError(`ipAddresses: ${JSON.stringify(ip)} is not an IP address`);
    }
  }
  const profile = request.profile ?? 'server';
  if (!CERTIFICATE_PROFILES.includes(profile)) {
    throw new PkiOptionError(`profile must be one of ${CERTIFICATE_PROFILES.join(', ')}`);
  }
  if (profile === 'server' && dnsNames.length === 0 && ipAddresses.length === 0) {
    throw new PkiOptionError('a server certificate needs at least one DNS name or IP address');
  }
  const validityDays = request.validityDays ?? 397;
  checkValidity(validityDays, 825);
  const keyAlgorithm = request.keyAlgorithm ?? 'ecdsa-p256';
  if (!KEY_ALGORITHMS.includes(keyAlgorithm)) {
    throw new PkiOptionError(`keyAlgorithm must be one of ${KEY_ALGORITHMS.join(', ')}`);
  }
  const commonName = request.commonName ?? dnsNames[0] ?? name;
  checkCommonName(commonName);
  return { name, subject: `CN=${commonName}`, dnsNames, ipAddresses, profile, validityDays, keyAlgorithm };
}

/** Signs the leaf certificate: validity capped at the CA's, usages by profile and key type, SANs. */
async function signLeaf(
  ca: CertificateAuthority,
  keys: Awaited<ReturnType<typeof generateKeyPair>>,
  request: ValidRequest,
  now: Date,
): Promise<x509.X509Certificate> {
  const notBefore = new Date(now.getTime() - 5 * 60_000);
  let notAfter = new Date(notBefore.getTime() + request.validityDays * DAY_MS);
  // A leaf outliving its CA would fail validation after the CA expires; cap it.
  if (notAfter > ca.certificate.notAfter) notAfter = ca.certificate.notAfter;
  let usages = x509.KeyUsageFlags.digitalSignature;
  if (keys.privateKey.algorithm.name !== 'ECDSA') usages |= x509.KeyUsageFlags.keyEncipherment;
  const sans = [
    ...request.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...request.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: request.subject,
    issuer: ca.certificate.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: signingAlgorithmOf(ca.signingKey),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usages, true),
      new x509.ExtendedKeyUsageExtension(
        request.profile === 'client'
          ? [x509.ExtendedKeyUsage.clientAuth]
          : [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
      ),
      ...(sans.length === 0 ? [] : [new x509.SubjectAlternativeNameExtension(sans)]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
    ],
  });
}
