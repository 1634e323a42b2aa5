import { createPrivateKey, X509Certificate as NodeX509 } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CaExistsError,
  CaMissingError,
  initCa,
  issueCertificate,
  loadCa,
  PkiKeyError,
  PkiOptionError,
} from '../src/index.js';
import { setupTracing } from './helpers.js';

let dir: string;
let exporter: InMemorySpanExporter;
let teardown: () => Promise<void>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pki-ca-'));
  ({ exporter, teardown } = setupTracing());
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await teardown();
});

const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe('initCa', () => {
  it('writes a self-signed CA with key 0600 and cert 0644', async () => {
    const ca = await initCa({ dir, commonName: 'Test CA' });
    expect(await mode(ca.layout.caKeyPath)).toBe(0o600);
    expect(await mode(ca.layout.caCertPath)).toBe(0o644);
    const cert = new NodeX509(await readFile(ca.layout.caCertPath));
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=Test CA');
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    // the key file holds the CA's private key
    const key = createPrivateKey(await readFile(ca.layout.caKeyPath));
    expect(cert.checkPrivateKey(key)).toBe(true);
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('pki.issue_certificate');
    expect(span?.attributes['pki.operation']).toBe('init_ca');
    expect(span?.attributes['pki.serial']).toBe(cert.serialNumber.toLowerCase());
  });

  it('refuses to overwrite an existing CA unless asked', async () => {
    await initCa({ dir });
    await expect(initCa({ dir })).rejects.toMatchObject({ code: 'AUTOBOT_ERR_PKI_CA_EXISTS' });
    await expect(initCa({ dir })).rejects.toBeInstanceOf(CaExistsError);
    await expect(initCa({ dir, overwrite: true })).resolves.toBeDefined();
  });

  it('rejects bad options with a coded error', async () => {
    await expect(initCa({ dir, validityDays: 0 })).rejects.toBeInstanceOf(PkiOptionError);
    await expect(initCa({ dir, commonName: 'a,b=c' })).rejects.toMatchObject({
      code: 'AUTOBOT_ERR_PKI_INVALID_OPTION',
    });
  });

  it('loadCa fails with CaMissingError when there is no CA', async () => {
    await expect(loadCa(dir)).rejects.toBeInstanceOf(CaMissingError);
  });
});

describe('issueCertificate', () => {
  for (const keyAlgorithm of ['ecdsa-p256', 'rsa-2048'] as const) {
    it(`issues a ${keyAlgorithm} server certificate with SANs, usages and safe modes`, async () => {
      await initCa({ dir, keyAlgorithm });
      const ca = await loadCa(dir);
      const issued = await issueCertificate(ca, {
        name: 'frontend',
        dnsNames: ['frontend.autobot.local', 'frontend'],
        ipAddresses: ['172.16.168.21', '::1'],
        validityDays: 30,
        keyAlgorithm,
        now: new Date(),
      });
      expect(await mode(issued.keyPath)).toBe(0o600);
      expect(await mode(issued.certPath)).toBe(0o644);
      const cert = new NodeX509(await readFile(issued.certPath));
      const caCert = new NodeX509(await readFile(ca.layout.caCertPath));
      expect(cert.ca).toBe(false);
      expect(cert.subject).toBe('CN=frontend.autobot.local');
      expect(cert.checkIssued(caCert)).toBe(true);
      expect(cert.verify(caCert.publicKey)).toBe(true);
      expect(cert.checkPrivateKey(createPrivateKey(await readFile(issued.keyPath)))).toBe(true);
      expect(cert.subjectAltName).toBe(
        'DNS:frontend.autobot.local, DNS:frontend, IP Address:172.16.168.21, IP Address:0:0:0:0:0:0:0:1',
      );
      expect(cert.checkHost('frontend.autobot.local')).toBe('frontend.autobot.local');
      expect(cert.checkIP('172.16.168.21')).toBe('172.16.168.21');
      expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
      const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
      expect(days).toBeCloseTo(30, 0);

      const spans = exporter.getFinishedSpans().filter((s) => s.attributes['pki.operation'] === 'issue');
      expect(spans).toHaveLength(1);
      const attrs = spans[0]?.attributes ?? {};
      expect(attrs['pki.subject']).toBe('CN=frontend.autobot.local');
      expect(attrs['pki.serial']).toBe(cert.serialNumber.toLowerCase());
      expect(attrs['pki.not_after']).toBe(new Date(cert.validTo).toISOString());
      // no key material anywhere in any span
      const keyPem = await readFile(issued.keyPath, 'utf8');
      const body = keyPem.split('\n')[1] ?? 'unreachable';
      for (const span of exporter.getFinishedSpans()) {
        expect(JSON.stringify(span.attributes)).not.toContain('PRIVATE');
        expect(JSON.stringify(span.attributes)).not.toContain(body);
      }
    });
  }

  it('caps the leaf validity at the CA expiry', async () => {
    const ca = await initCa({ dir, validityDays: 10 });
    const issued = await issueCertificate(ca, {
      name: 'redis',
      ipAddresses: ['127.0.0.1'],
      validityDays: 397,
    });
    expect(issued.notAfter.getTime()).toBe(ca.certificate.notAfter.getTime());
  });

  it('rejects invalid names and SANs before generating anything', async () => {
    const ca = await initCa({ dir });
    await expect(issueCertificate(ca, { name: '../etc', ipAddresses: ['127.0.0.1'] })).rejects.toBeInstanceOf(
      PkiOptionError,
    );
    await expect(issueCertificate(ca, { name: 'x', ipAddresses: ['999.1.1.1'] })).rejects.toThrow(
      /ipAddresses/,
    );
    await expect(issueCertificate(ca, { name: 'x', dnsNames: ['bad_name!'] })).rejects.toThrow(/dnsNames/);
    await expect(issueCertificate(ca, { name: 'x' })).rejects.toThrow(/at least one/);
    expect(exporter.getFinishedSpans().filter((s) => s.attributes['pki.operation'] === 'issue')).toHaveLength(
      0,
    );
  });
});

describe('importSigningKey', () => {
  it('refuses what cannot sign with PkiKeyError (AUTOBOT_ERR_PKI_KEY_INVALID), never echoing the key', async () => {
    const { importSigningKey } = await import('../src/keys.js');
    const { generateKeyPairSync } = await import('node:crypto');
    const ed25519 = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const secp384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const garbage = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n';
    for (const pem of [garbage, ed25519, secp384]) {
      const error = await importSigningKey(pem).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PkiKeyError);
      expect((error as PkiKeyError).code).toBe('AUTOBOT_ERR_PKI_KEY_INVALID');
      expect((error as Error).message).not.toContain('c2VjcmV0');
    }
  });
});
