/**
 * PostgreSQL going away while Hubbub runs: calls fail with a clear message
 * (not a stack trace, not a hang) and succeed again by themselves once the
 * database is back. The database is cut with a TCP proxy in front of the
 * shared PostgreSQL, which itself keeps running.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { probePostgres, TestDatabases } from '@hubbub/db/test';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';

const probe = await probePostgres();
if (!probe.reachable) console.warn(`Skipping the PostgreSQL outage test: ${probe.reason}`);

/** A TCP proxy to PostgreSQL that can be cut (every connection dropped, none accepted) and restored. */
function pgProxy(port: number) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const start = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(5432, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', resolve);
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server?.close(() => resolve());
    });
  return { start, cut };
}

describe.skipIf(!probe.reachable)('PostgreSQL outage', () => {
  const databases = new TestDatabases();
  let server: TestServer;
  let proxy: ReturnType<typeof pgProxy>;

  beforeAll(async () => {
    const db = await databases.fresh();
    const probeServer = createServer();
    await new Promise<void>((r) => probeServer.listen(0, '127.0.0.1', r));
    const port = (probeServer.address() as { port: number }).port;
    await new Promise((r) => probeServer.close(r));
    proxy = pgProxy(port);
    await proxy.start();
    const url = new URL(db.url);
    url.host = `127.0.0.1:${port}`;
    server = await startTestServer({ postgres: { url: url.toString(), poolSize: 2 } });
  });

  afterAll(async () => {
    await server?.stop();
    await proxy?.cut();
    await databases.dropAll();
  });

  it('answers with a clear error while the database is down, and recovers by itself', async () => {
    const { token } = await server.signup('alice');
    const a = server.client(token);
    const general = (await a.api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no general');
    await a.api.message.send.mutate({ channelId: general.id, content: 'before the outage' });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    await proxy.cut();
    await expect(a.api.message.send.mutate({ channelId: general.id, content: 'during' })).rejects.toMatchObject({
      message: 'the database is unavailable right now: try again in a moment',
      data: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);

    await proxy.start();
    // Refused until the pool reconnects; then it goes through (once: the refused attempts stored nothing).
    const sent = await vi.waitFor(() => a.api.message.send.mutate({ channelId: general.id, content: 'after' }), {
      timeout: 15_000,
      interval: 200,
    });
    expect(sent.content).toBe('after');
    const history = await a.api.message.history.query({ channelId: general.id });
    expect(history.items.map((m) => m.content)).toEqual(['after', 'before the outage']);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  }, 40_000);
});
