/**
 * A token's source-address allow-list: IPv4 and IPv6 addresses and CIDR ranges, matched
 * with Node's BlockList. IPv4 clients seen through an IPv6 socket (`::ffff:a.b.c.d`) match
 * IPv4 entries.
 */
import { BlockList, isIP } from 'node:net';
import { InvalidRequest } from '../../kernel/errors.ts';
import { ipOrCidrFamily } from '../../kernel/ip.ts';

export const maxSourceIps = 10;

/** Checks each entry and returns them normalized (trimmed); 400 names the first bad one. */
export function parseSourceIps(field: string, entries: readonly string[]): string[] {
  if (entries.length > maxSourceIps) throw new InvalidRequest(`${field} may hold at most ${maxSourceIps} addresses or ranges`);
  return entries.map((entry) => {
    if (!ipOrCidrFamily(entry.trim())) throw new InvalidRequest(`${field}: "${entry}" is not an IP address or CIDR range`);
    return entry.trim();
  });
}

const unmapped = (ip: string) => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip) ? ip.slice(7) : ip);

/** An allow-list made into a BlockList once, with the answers it gave (a token sees few addresses). */
interface Matcher {
  list: BlockList;
  answers: Map<string, boolean>;
}

const maxAnswers = 256;
// Keyed by the list itself: a cached token keeps one array, so the BlockList is built once per
// token, not once per request (building one and checking a string address both allocate).
const matchers = new WeakMap<readonly string[], Matcher>();

function matcherOf(entries: readonly string[]): Matcher {
  let matcher = matchers.get(entries);
  if (matcher) return matcher;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = ipOrCidrFamily(entry) === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  matcher = { list, answers: new Map() };
  matchers.set(entries, matcher);
  return matcher;
}

/** Whether `ip` is allowed by `entries` (an empty list allows every address). */
export function sourceAllowed(entries: readonly string[], ip: string): boolean {
  if (!entries.length) return true;
  const { list, answers } = matcherOf(entries);
  let allowed = answers.get(ip);
  if (allowed === undefined) {
    const client = unmapped(ip);
    const family = isIP(client);
    allowed = family !== 0 && list.check(client, family === 4 ? 'ipv4' : 'ipv6');
    if (answers.size >= maxAnswers) answers.clear();
    answers.set(ip, allowed);
  }
  return allowed;
}
