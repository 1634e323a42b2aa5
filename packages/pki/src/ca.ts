import type { webcrypto as WebCrypto } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { CaExistsError, CaMissingError, PkiOptionError } from './errors.js';
import { CERT_FILE_MODE, KEY_FILE_MODE, writeFileAtomic } from './files.js';
import {
  exportPrivateKeyPem,
  generateKeyPair,
  importSigningKey,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  signingAlgorithmOf,
} from './keys.js';
import { type PkiLayout, pkiLayout } from './layout.js';
import {
  ATTR_PKI_NOT_AFTER,
  ATTR_PKI_OPERATION,
  ATTR_PKI_SERIAL,
  ATTR_PKI_SUBJECT,
  PKI_OPERATION_INIT_CA,
  SPAN_PKI_ISSUE_CERTIFICATE,
} from './semconv.js';
import { inSpan, safely } from './tracer.js';
import { x509 } from './x509.js';

const DAY_MS = 86_400_000;

/** Options of {@link initCa}. */
export interface InitCaOptions {
  /** PKI root directory; the CA goes to `<dir>/ca/ca.{crt,key}`. */
  dir: string;
  /** CA subject common name. Default `AutoBot Internal CA`. */
  commonName?: string;
  /** Validity in days, 1–7300. Default 3650. */
  validityDays?: number;
  /** Default `ecdsa-p256`. */
  keyAlgorithm?: KeyAlgorithm;
  /** Replace an existing CA. Default `false`: an existing CA is an error, never silently overwritten. */
  overwrite?: boolean;
  /** Clock, for tests. */
  now?: Date;
}

/** A loaded CA: its certificate and a non-extractable signing key. */
export interface CertificateAuthority {
  readonly layout: PkiLayout;
  readonly certificate: x509.X509Certificate;
  /** The CA certificate as PEM. */
  readonly certPem: string;
  /** Non-extractable WebCrypto key: can sign, cannot be exported or logged. */
  readonly signingKey: WebCrypto.CryptoKey;
}

/**
 * Creates a CA (key pair + self-signed certificate: basicConstraints CA:true pathlen 0, keyUsage
 * keyCertSign + cRLSign) and writes `ca.key` (0600) and `ca.crt` (0644). Emits a
 * `pki.issue_certificate` span with `pki.operation=init_ca`.
 *
 * @throws CaExistsError when a CA exists and `overwrite` is not set.
 * @throws PkiOptionError on invalid options.
 */
export async function initCa(options: InitCaOptions): Promise<CertificateAuthority> {
  const commonName = options.commonName ?? 'AutoBot Internal CA';
  const validityDays = options.validityDays ?? 3650;
  const keyAlgorithm = options.keyAlgorithm ?? 'ecdsa-p256';
  checkValidity(validityDays, 7300);
  checkCommonName(commonName);
  if (!KEY_ALGORITHMS.includes(keyAlgorithm)) {
    throw new PkiOptionError(`keyAlgorithm must be one of ${KEY_ALGORITHMS.join(', ')}`);
  }
  const layout = pkiLayout(options.dir);
  if (!options.overwrite && (await exists(layout.caKeyPath))) {
    throw new CaExistsError(
      `a CA already exists at ${layout.caKeyPath}; replace it with overwrite (CLI: --force)`,
    );
  }
  const subject = `CN=${commonName}`;
  return inSpan(
    SPAN_PKI_ISSUE_CERTIFICATE,
    { [ATTR_PKI_OPERATION]: PKI_OPERATION_INIT_CA, [ATTR_PKI_SUBJECT]: subject },
    async (span) => {
      const keys = await generateKeyPair(keyAlgorithm);
      const notBefore = new Date((options.now ?? new Date()).getTime() - 5 * 60_000);
      const notAfter = new Date(notBefore.getTime() + validityDays * DAY_MS);
      const certificate = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: randomSerial(),
        name: subject,
        notBefore,
        notAfter,
        keys,
        signingAlgorithm: signingAlgorithmOf(keys.privateKey),
        extensions: [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
            true,
          ),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        ],
      });
      safely(() => {
        span.setAttribute(ATTR_PKI_SERIAL, certificate.serialNumber);
        span.setAttribute(ATTR_PKI_NOT_AFTER, certificate.notAfter.toISOString());
      });
      await writeFileAtomic(layout.caKeyPath, await exportPrivateKeyPem(keys.privateKey), KEY_FILE_MODE);
      const certPem = certificate.toString('pem');
      await writeFileAtomic(layout.caCertPath, `${certPem}\n`, CERT_FILE_MODE);
      const signingKey = await importSigningKey(await readFile(layout.caKeyPath, 'utf8'));
      return { layout, certificate, certPem, signingKey };
    },
  );
}

/**
 * Loads the CA under `dir`.
 * @throws CaMissingError when `ca.crt` or `ca.key` is missing or does not parse (the message names
 * the file, never its content).
 */
export async function loadCa(dir: string): Promise<CertificateAuthority> {
  const layout = pkiLayout(dir);
  let certPem: string;
  let keyPem: string;
  try {
    certPem = (await readFile(layout.caCertPath, 'utf8')).trim();
    keyPem = await readFile(layout.caKeyPath, 'utf8');
  } catch (cause) {
    throw new CaMissingError(`no CA under ${dir} (run \`autobot-pki init-ca\` first)`, { cause });
  }
  let certificate: x509.X509Certificate;
  try {
    certificate = new x509.X509Certificate(certPem);
  } catch (cause) {
    throw new CaMissingError(`${layout.caCertPath} is not a PEM certificate`, { cause });
  }
  let signingKey: WebCrypto.CryptoKey;
  try {
    signingKey = await importSigningKey(keyPem);
  } catch (cause) {
    throw new CaMissingError(`${layout.caKeyPath} is not a usable private key`, { cause });
  }
  return { layout, certificate, certPem, signingKey };
}

/** A random positive 128-bit serial number as hex (RFC 5280: positive, at most 20 octets). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

export function checkValidity(days: number, max: number): void {
  if (!Number.isInteger(days) || days < 1 || days > max) {
    throw new PkiOptionError(`validityDays must be an integer from 1 to ${max}, got ${String(days)}`);
  }
}

export function checkCommonName(cn: string): void {
  // x509 name strings use `,`, `=` and `+` as syntax; refuse them rather than escape them.
  if (typeof cn !== 'string' || cn.length === 0 || cn.length > 64 || /[,=+"\\<>;\n\r]/.test(cn)) {
    throw new PkiOptionError('commonName must be 1-64 characters without , = + " \\ < > ; or newlines');
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
