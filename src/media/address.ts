import { isIP } from 'node:net';

/** True for the "unspecified" addresses used by the RFC 2543 hold form (`c=IN IP4 0.0.0.0`). */
export function isUnspecifiedAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '0:0:0:0:0:0:0:0';
}

/**
 * True when an SDP address cannot be reached from the public side: unspecified, RFC 1918 private,
 * RFC 6598 shared (CGNAT), link-local, or IPv6 unique-local/link-local; also anything that is
 * not a literal address. Used by the "private" latching policy.
 */
export function isPrivateAddress(address: string): boolean {
  if (isUnspecifiedAddress(address)) return true;
  const family = isIP(address);
  if (family === 4) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    return (
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254)
    );
  }
  if (family === 6) {
    const first = address.toLowerCase().split(':')[0] ?? '';
    const word = first === '' ? 0 : parseInt(first, 16);
    return (word & 0xfe00) === 0xfc00 || (word & 0xffc0) === 0xfe80;
  }
  return true;
}

/** The SDP `IP4`/`IP6` address-type number for an address. */
export function ipVersionOf(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}
