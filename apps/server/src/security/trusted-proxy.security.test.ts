/**
 * Attack class: address spoofing. X-Forwarded-For names the client only when
 * the peer is a configured trusted proxy; through a proxy, long-lived
 * WebSockets are capped per forwarded client address.
 */
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/harness';
import { openRaw, type RawConnection, rawHttp, request, upgradeRequest } from './raw-http';

let server: TestServer | undefined;
const open: RawConnection[] = [];
afterEach(async () => {
  for (const conn of open.splice(0)) conn.socket.destroy();
  await server?.stop();
  server = undefined;
});

/** The client address Hubbub computes for each request it receives (what the API's per-address limits see). */
function recordClientAddresses(s: TestServer): string[] {
  const seen: string[] = [];
  s.hubbub.server.on('request', (req: IncomingMessage) => seen.push(s.hubbub.clientAddress(req)));
  return seen;
}

/** A WebSocket upgrade that stays open; resolves with the status the server answered. */
async function upgrade(port: number, forwardedFor: string): Promise<number | null> {
  const conn = await openRaw(port);
  open.push(conn);
  conn.socket.write(upgradeRequest('/ws', { 'x-forwarded-for': forwardedFor }));
  await expect.poll(() => conn.status()).not.toBeNull();
  return conn.status();
}

describe('trusted proxies', () => {
  it('without a trusted proxy, X-Forwarded-For is ignored: the peer is the client', async () => {
    server = await startTestServer();
    const seen = recordClientAddresses(server);
    await rawHttp(server.port, request('GET', '/healthz', { 'x-forwarded-for': '203.0.113.9' }));
    expect(seen).toEqual(['127.0.0.1']);
  });

  it('from a trusted proxy, the forwarded client is the client (a spoofed left-most entry is not)', async () => {
    server = await startTestServer({ trustedProxies: ['loopback'] });
    const seen = recordClientAddresses(server);
    await rawHttp(server.port, request('GET', '/healthz', { 'x-forwarded-for': '1.1.1.1, 203.0.113.9' }));
    await rawHttp(server.port, request('GET', '/healthz'));
    expect(seen).toEqual(['203.0.113.9', '127.0.0.1']);
  });

  it('a trusted proxy is configured by address too, and another peer is not believed', async () => {
    server = await startTestServer({ trustedProxies: ['10.0.0.0/8'] });
    const seen = recordClientAddresses(server);
    await rawHttp(server.port, request('GET', '/healthz', { 'x-forwarded-for': '203.0.113.9' }));
    expect(seen).toEqual(['127.0.0.1']);
  });

  it('through a trusted proxy, WebSockets are capped per forwarded client, and the proxy itself is not capped', async () => {
    server = await startTestServer({ trustedProxies: ['loopback'], maxConnectionsPerAddress: 2 });
    expect(await upgrade(server.port, '198.51.100.1')).toBe(101);
    expect(await upgrade(server.port, '198.51.100.1')).toBe(101);
    expect(await upgrade(server.port, '198.51.100.1')).toBe(429);
    expect(await upgrade(server.port, '198.51.100.2')).toBe(101);
    // The proxy's own (plain HTTP) connections carry many clients: they are not counted.
    for (let i = 0; i < 5; i++) open.push(await openRaw(server.port));
    expect((await rawHttp(server.port, request('GET', '/healthz'))).status).toBe(200);
  });

  it('from an untrusted peer, a forged X-Forwarded-For does not escape the per-address cap', async () => {
    server = await startTestServer({ maxConnectionsPerAddress: 2 });
    expect(await upgrade(server.port, '198.51.100.1')).toBe(101);
    expect(await upgrade(server.port, '198.51.100.2')).toBe(101);
    expect(await upgrade(server.port, '198.51.100.3')).toBe(429);
  });
});
