import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

export interface ClientAddresses {
  /** The client's address: the peer's, or the one a trusted proxy put in X-Forwarded-For. */
  clientAddress(req: IncomingMessage): string;
  /** Whether a TCP peer is one of the trusted proxies (its connections carry many clients). */
  isTrustedProxy(peer: string): boolean;
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * Client addresses from the trusted-proxy setting (proxy-addr syntax: IPs,
 * CIDRs, `loopback`, `linklocal`, `uniquelocal`). X-Forwarded-For is read only
 * when the peer is a trusted proxy, hop by hop from the right, so a client
 * cannot name itself by sending the header. Throws on an invalid entry.
 */
export function createClientAddresses(trustedProxies: readonly string[] = []): ClientAddresses {
  const trust = proxyAddr.compile([...trustedProxies]);
  return {
    clientAddress: (req) => normalizeAddress(proxyAddr(req, trust)),
    isTrustedProxy: (peer) => trustedProxies.length > 0 && trust(peer, 0),
  };
}
