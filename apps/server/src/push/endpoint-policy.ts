import { BlockList, isIP } from 'node:net';

/*
 * Which push service URLs the server will POST to. A subscription's endpoint
 * comes from the client, so without a policy `notification.subscribePush`
 * would make the server send requests wherever a member points it (SSRF):
 * its own loopback, the cloud metadata address, the office network. Push
 * services (FCM, Mozilla, Apple, Microsoft) are public HTTPS hosts on port
 * 443, so that is all that is allowed. The URL is checked when a browser
 * subscribes, and every address a host name resolves to when the server
 * connects (safe-lookup.ts), so a name pointing inside is refused too.
 */

export interface EndpointPolicy {
  /** Tests only: a push service stand-in on 127.0.0.1 / ::1 over plain http, any port. */
  allowLoopback: boolean;
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Special-purpose IPv4 ranges (RFC 6890 and friends): private, loopback, link-local, shared, reserved, multicast. */
const notPublicV4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
/** Inside global unicast (2000::/3), the ranges that are not one host on the internet (or tunnel to IPv4). */
const notPublicV6: [string, number][] = [
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['3fff::', 20],
];
const notPublic = new BlockList();
for (const [net, prefix] of notPublicV4) notPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of notPublicV6) notPublic.addSubnet(net, prefix, 'ipv6');
const globalUnicastV6 = new BlockList();
globalUnicastV6.addSubnet('2000::', 3, 'ipv6');

/** `::ffff:10.0.0.1` is 10.0.0.1. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 4 ? 'ipv4' : 'ipv6' };
}

export function isLoopbackAddress(address: string): boolean {
  const ip = unmapped(address);
  return loopback.check(ip.address, ip.family);
}

/** One host on the public internet: not private, loopback, link-local, multicast, documentation or reserved. */
export function isPublicAddress(address: string): boolean {
  const ip = unmapped(address);
  if (isIP(ip.address) === 0) return false;
  if (notPublic.check(ip.address, ip.family)) return false;
  return ip.family === 'ipv4' || globalUnicastV6.check(ip.address, 'ipv6');
}

/** May the server connect to this resolved address? */
export function addressAllowed(address: string, policy: EndpointPolicy): boolean {
  return isPublicAddress(address) || (policy.allowLoopback && isLoopbackAddress(address));
}

/** Names that never lead to a public host. */
const LOCAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/;

/** Why the server will not send to `endpoint`, or null when it will (resolved addresses are checked again on connect). */
export function endpointProblem(endpoint: string, policy: EndpointPolicy): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'the push endpoint is not a URL';
  }
  if (url.username || url.password) return 'the push endpoint may not carry credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const literal = isIP(host) !== 0;
  if (policy.allowLoopback && literal && isLoopbackAddress(host) && /^https?:$/.test(url.protocol)) return null;
  if (url.protocol !== 'https:') return 'the push endpoint must be an https URL';
  if (url.port !== '') return 'the push endpoint must use the standard https port';
  if (literal) return isPublicAddress(host) ? null : 'the push endpoint must be a public address';
  if (!host.includes('.') || LOCAL_NAME.test(host)) return 'the push endpoint must be a public host';
  return null;
}
