import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SSH_ERROR_CODES, SshDistributionError, type SshErrorType } from '../src/errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('pki error codes', () => {
  it('every ssh.error_type has its literal code, carried by the error and listed in the README', () => {
    for (const [type, code] of Object.entries(SSH_ERROR_CODES)) {
      expect(code).toBe(`AUTOBOT_ERR_PKI_SSH_${type.toUpperCase()}`);
      expect(new SshDistributionError(type as SshErrorType, 'x').code).toBe(code);
      // The README's table row names the value and its code.
      expect(readme).toMatch(new RegExp(`\\| \`${type}\`[^\\n]*\`${code}\``));
    }
  });

  it('every AUTOBOT_ERR_PKI_ code in the sources is documented in the README', () => {
    const sources = ['errors.ts'].map((f) => readFileSync(new URL(`../src/${f}`, import.meta.url), 'utf8'));
    const codes = new Set(sources.join('\n').match(/AUTOBOT_ERR_PKI_[A-Z_]+/g));
    expect(codes.size).toBeGreaterThan(10);
    for (const code of codes) expect(readme).toContain(code);
  });
});
