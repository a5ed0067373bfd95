/**
 * Attack class: holding sockets. A request whose headers never finish is
 * answered 408 and closed; one address cannot hold more than its share of
 * connections (429 with Retry-After, or a closed socket if it never asks).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_TIMEOUTS } from '../http/edge-server';
import { startTestServer, type TestServer } from '../test/harness';
import { openRaw, type RawConnection, rawHttp, request, upgradeRequest } from './raw-http';

let server: TestServer | undefined;
const open: RawConnection[] = [];
afterEach(async () => {
  for (const conn of open.splice(0)) conn.socket.destroy();
  await server?.stop();
  server = undefined;
});

/** Sends a request line, then one header byte every `everyMs`, never finishing (the attack itself). */
async function dripHeaders(port: number, everyMs: number): Promise<RawConnection> {
  const conn = await openRaw(port);
  open.push(conn);
  conn.socket.write('GET / HTTP/1.1\r\nhost: localhost\r\nx-slow: ');
  const drip = setInterval(() => conn.socket.writable && conn.socket.write('a'), everyMs);
  void conn.closed.then(() => clearInterval(drip));
  return conn;
}

async function idle(port: number): Promise<RawConnection> {
  const conn = await openRaw(port);
  open.push(conn);
  return conn;
}

describe('slow requests', () => {
  it('a slow-header request is answered 408 and closed at the header deadline', async () => {
    server = await startTestServer({ httpTimeouts: { headersMs: 600, checkIntervalMs: 100 } });
    const slow = await dripHeaders(server.port, 50);
    const { afterMs } = await slow.closed;
    expect(slow.status()).toBe(408);
    expect(afterMs).toBeGreaterThanOrEqual(500);
    expect(afterMs).toBeLessThan(2000);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('a connection that never sends a byte is closed at the header deadline too', async () => {
    server = await startTestServer({ httpTimeouts: { headersMs: 600, checkIntervalMs: 100 } });
    const silent = await idle(server.port);
    expect((await silent.closed).afterMs).toBeLessThan(2000);
  });

  it('with the default deadlines, a slow-header request is closed within about ten seconds', async () => {
    expect(DEFAULT_HTTP_TIMEOUTS.headersMs + DEFAULT_HTTP_TIMEOUTS.checkIntervalMs).toBeLessThanOrEqual(11_000);
    server = await startTestServer();
    expect(server.hubbub.server.headersTimeout).toBe(DEFAULT_HTTP_TIMEOUTS.headersMs);
    const slow = await dripHeaders(server.port, 500);
    const { afterMs } = await slow.closed;
    expect(slow.status()).toBe(408);
    expect(afterMs).toBeLessThanOrEqual(12_000);
  }, 20_000);
});

describe('connections per client address', () => {
  it('past the cap, a request is answered 429 with Retry-After; a closed connection makes room', async () => {
    server = await startTestServer({ maxConnectionsPerAddress: 3 });
    const held = [await idle(server.port), await idle(server.port), await idle(server.port)];
    const refused = await rawHttp(server.port, request('GET', '/healthz'));
    expect(refused.status).toBe(429);
    expect(refused.head).toMatch(/^retry-after: \d+$/im);
    expect((await rawHttp(server.port, upgradeRequest('/ws'))).status).toBe(429);

    held[0]?.socket.destroy();
    await held[0]?.closed;
    // The server sees the close a moment after the client does.
    await expect.poll(async () => (await rawHttp(server?.port ?? 0, request('GET', '/healthz'))).status).toBe(200);
  });

  it('a connection past the cap that never sends its request is closed within seconds', async () => {
    server = await startTestServer({ maxConnectionsPerAddress: 1 });
    await idle(server.port);
    const extra = await idle(server.port);
    const { afterMs } = await extra.closed;
    expect(extra.received().length).toBe(0);
    expect(afterMs).toBeLessThan(5000);
  });

  it('0 means no cap', async () => {
    server = await startTestServer({ maxConnectionsPerAddress: 0 });
    for (let i = 0; i < 100; i++) await idle(server.port);
    expect((await rawHttp(server.port, request('GET', '/healthz'))).status).toBe(200);
  });
});
