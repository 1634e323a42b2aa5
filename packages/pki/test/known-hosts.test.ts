import { describe, expect, it } from 'vitest';
import { hashHostName, KnownHosts } from '../src/index.js';

function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
}

const keyA = blob('ssh-ed25519', 'A'.repeat(32));
const keyB = blob('ssh-ed25519', 'B'.repeat(32));
const rsa = blob('ssh-rsa', 'R'.repeat(64));

describe('KnownHosts', () => {
  it('matches plain, [host]:port, hashed and wildcard entries', () => {
    const kh = KnownHosts.parse(
      [
        '# comment',
        `10.0.0.1 ssh-ed25519 ${keyA.toString('base64')}`,
        `[10.0.0.2]:2222 ssh-ed25519 ${keyA.toString('base64')}`,
        `${hashHostName('10.0.0.3')} ssh-ed25519 ${keyA.toString('base64')}`,
        `*.autobot.local,!evil.autobot.local ssh-ed25519 ${keyA.toString('base64')}`,
        'garbage line',
      ].join('\n'),
    );
    expect(kh.verify('10.0.0.1', 22, keyA)).toBe('known');
    expect(kh.verify('10.0.0.2', 2222, keyA)).toBe('known');
    expect(kh.verify('10.0.0.2', 22, keyA)).toBe('unknown');
    expect(kh.verify('10.0.0.3', 22, keyA)).toBe('known');
    expect(kh.verify('redis.autobot.local', 22, keyA)).toBe('known');
    expect(kh.verify('evil.autobot.local', 22, keyA)).toBe('unknown');
    expect(kh.verify('10.0.0.1', 22, keyB)).toBe('mismatch');
    // another key type for a known host is unknown, not a mismatch (as OpenSSH treats it)
    expect(kh.verify('10.0.0.1', 22, rsa)).toBe('unknown');
    expect(kh.keyTypesFor('10.0.0.2', 2222)).toEqual(['ssh-ed25519']);
  });

  it('treats @revoked keys as refused and ignores @cert-authority lines', () => {
    const kh = KnownHosts.parse(
      [
        `@revoked * ssh-ed25519 ${keyB.toString('base64')}`,
        `@cert-authority * ssh-ed25519 ${keyA.toString('base64')}`,
      ].join('\n'),
    );
    expect(kh.verify('10.0.0.1', 22, keyB)).toBe('revoked');
    expect(kh.verify('10.0.0.1', 22, keyA)).toBe('unknown');
  });
});
