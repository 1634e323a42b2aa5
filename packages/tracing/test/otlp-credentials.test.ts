import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveTracingConfig } from '../src/index.js';

const SECRET = 'sekrit-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'otlp-cred-'));
const caPath = join(dir, 'ca.crt');
writeFileSync(caPath, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

describe('OTLP credentials from the environment', () => {
  it('reads headers (TRACES_ wins per key) and files; never prints a header value', () => {
    const config = resolveTracingConfig(
      {},
      {
        AUTOBOT_JAEGER_ENDPOINT: 'https://127.0.0.2:4317',
        OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20wrong,x-team=a`,
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: `authorization=Bearer%20${SECRET}`,
        OTEL_EXPORTER_OTLP_CERTIFICATE: caPath,
      },
    );
    expect(config.warnings).toEqual([]);
    expect(config.credentials.headers).toEqual({ authorization: `Bearer ${SECRET}`, 'x-team': 'a' });
    expect(config.credentials.files.certificate).toBe(caPath);
    expect(JSON.stringify(config)).not.toContain(SECRET);
    expect(inspect(config, { depth: 5 })).not.toContain(SECRET);
  });

  it('an invalid entry, a missing file and half a client pair warn once each, naming the variable, never the secret', () => {
    const config = resolveTracingConfig(
      {},
      {
        AUTOBOT_JAEGER_ENDPOINT: 'https://127.0.0.2:4317',
        OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${SECRET},${SECRET}`,
        OTEL_EXPORTER_OTLP_CERTIFICATE: join(dir, 'missing.crt'),
        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: caPath,
      },
    );
    expect(config.warnings).toHaveLength(3);
    expect(config.warnings[0]).toMatch(/^OTEL_EXPORTER_OTLP_HEADERS=<not shown.*entry 2 of 2 is invalid/);
    expect(config.warnings[1]).toMatch(
      /^OTEL_EXPORTER_OTLP_CERTIFICATE=".*missing\.crt" is invalid .*ENOENT.*system CA store/,
    );
    expect(config.warnings[2]).toMatch(
      /OTEL_EXPORTER_OTLP_CLIENT_KEY is missing.*using no client certificate/,
    );
    for (const w of config.warnings) expect(w).not.toContain(SECRET);
    expect(config.credentials.headers).toEqual({ authorization: `Bearer ${SECRET}` });
    expect(config.credentials.clientCertificate).toBeUndefined();
  });

  it('TLS files with an http:// endpoint warn that they are unused', () => {
    const config = resolveTracingConfig(
      {},
      { AUTOBOT_JAEGER_ENDPOINT: 'http://127.0.0.1:4317', OTEL_EXPORTER_OTLP_CERTIFICATE: caPath },
    );
    expect(config.warnings).toEqual([expect.stringMatching(/not https:\/\/; they are not used/)]);
  });
});
