/** IP addresses and CIDR ranges, as settings and allow-lists write them. */
import { isIP } from 'node:net';

/** The family (4 or 6) of an address or CIDR range such as `10.0.0.0/8` or `::1`; 0 when it is neither. */
export function ipOrCidrFamily(entry: string): 0 | 4 | 6 {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return 0;
  if (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128))) return 0;
  return family as 4 | 6;
}

/** Whether a URL names this machine (RFC 8252 §8.3): where plain http is allowed, for development and tests. */
export function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/** Plain http to this machine: what is allowed where https is otherwise required. */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && isLoopback(url);
}
