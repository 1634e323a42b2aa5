import { isIP } from 'node:net';

/**
 * True for addresses only this machine can reach: 127.0.0.0/8, ::1, `localhost` and
 * IPv4-mapped loopback (`::ffff:127.x.x.x`). Everything else (0.0.0.0, ::, a LAN address, a host
 * name) counts as exposed.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.split('.')[0] === '127';
}
