import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createClientAddresses, normalizeAddress } from './client-address';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  }) as unknown as IncomingMessage;

describe('client addresses', () => {
  it('with no trusted proxy, the peer is the client and X-Forwarded-For is ignored', () => {
    const { clientAddress, isTrustedProxy } = createClientAddresses([]);
    expect(clientAddress(request('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7');
    expect(isTrustedProxy('127.0.0.1')).toBe(false);
  });

  it('from a trusted proxy, the right-most untrusted hop is the client', () => {
    const { clientAddress } = createClientAddresses(['loopback', '10.0.0.0/8']);
    // A client-sent spoof on the left, then the real client, then an inner proxy.
    expect(clientAddress(request('127.0.0.1', '1.2.3.4, 198.51.100.9, 10.1.2.3'))).toBe('198.51.100.9');
  });

  it('from an untrusted peer, X-Forwarded-For is not believed even when proxies are configured', () => {
    const { clientAddress } = createClientAddresses(['loopback']);
    expect(clientAddress(request('203.0.113.7', '1.2.3.4'))).toBe('203.0.113.7');
  });

  it('IPv4-mapped IPv6 addresses are the IPv4 address; a vanished socket is "unknown"', () => {
    expect(normalizeAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeAddress('::1')).toBe('::1');
    expect(normalizeAddress(undefined)).toBe('unknown');
  });

  it('an invalid entry is refused at start', () => {
    expect(() => createClientAddresses(['not-an-ip'])).toThrow(/invalid IP address/);
  });
});
