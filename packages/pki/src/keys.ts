import type { webcrypto as WebCrypto } from 'node:crypto';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { PkiKeyError, PkiOptionError } from './errors.js';
import { x509 } from './x509.js';

/** Key algorithms the CA can generate. ECDSA P-256 is the default: small, fast, universally accepted. */
export type KeyAlgorithm = 'ecdsa-p256' | 'rsa-2048' | 'rsa-3072';

/** All accepted {@link KeyAlgorithm} values. */
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['ecdsa-p256', 'rsa-2048', 'rsa-3072'];

type SignAlgorithm = WebCrypto.EcKeyImportParams | WebCrypto.RsaHashedImportParams;

function generationParams(
  algorithm: KeyAlgorithm,
): WebCrypto.EcKeyGenParams | WebCrypto.RsaHashedKeyGenParams {
  switch (algorithm) {
    case 'ecdsa-p256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'rsa-2048':
    case 'rsa-3072':
      return {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: algorithm === 'rsa-2048' ? 2048 : 3072,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      };
    default:
      throw new PkiOptionError(`keyAlgorithm must be one of ${KEY_ALGORITHMS.join(', ')}`);
  }
}

/** Generates an extractable key pair (the private key is exported once, to a 0600 file). */
export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<WebCrypto.CryptoKeyPair> {
  const params = generationParams(algorithm);
  return (await webcrypto.subtle.generateKey(params, true, ['sign', 'verify'])) as WebCrypto.CryptoKeyPair;
}

/** PKCS#8 PEM of a private key. The returned string is secret: write it to a 0600 file only. */
export async function exportPrivateKeyPem(key: WebCrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** The signature algorithm a certificate signed by `key` uses (SHA-256 in both families). */
export function signingAlgorithmOf(key: WebCrypto.CryptoKey): WebCrypto.Algorithm | WebCrypto.EcdsaParams {
  return key.algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: key.algorithm.name };
}

/**
 * Imports a PKCS#8 (or SEC1 / PKCS#1, converted through node:crypto) PEM private key for signing.
 * @throws PkiKeyError (`AUTOBOT_ERR_PKI_KEY_INVALID`), whose message never includes the key text.
 */
export async function importSigningKey(pem: string): Promise<WebCrypto.CryptoKey> {
  let keyObject: ReturnType<typeof createPrivateKey>;
  try {
    keyObject = createPrivateKey(pem);
  } catch (cause) {
    throw new PkiKeyError('private key is not a valid unencrypted PEM key', { cause: stripCause(cause) });
  }
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  let algorithm: SignAlgorithm;
  if (keyObject.asymmetricKeyType === 'ec') {
    const curve = keyObject.asymmetricKeyDetails?.namedCurve;
    if (curve !== 'prime256v1')
      throw new PkiKeyError(`unsupported EC curve ${String(curve)} (expected P-256)`);
    algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  } else if (keyObject.asymmetricKeyType === 'rsa') {
    algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  } else {
    throw new PkiKeyError(`unsupported key type ${String(keyObject.asymmetricKeyType)}`);
  }
  return webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
}

// OpenSSL decoder messages do not echo key bytes, but keep only the message to be sure nothing else rides along.
function stripCause(cause: unknown): Error {
  return new Error(cause instanceof Error ? cause.message.slice(0, 200) : 'invalid key');
}
