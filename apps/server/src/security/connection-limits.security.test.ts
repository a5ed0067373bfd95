/**
 * Attacks through volume: many sockets of one user, floods of reads, huge
 * batches, thousands of subscriptions, a client that never reads its
 * answers, and sockets that never sign in. Each is refused or cut off, and
 * everyone else keeps being served.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/harness';
import { errorCode, type RawSocket, rawSocket } from '../test/raw-socket';
import { startChatter } from './alive';

let server: TestServer;
afterEach(async () => {
  await server?.stop();
});

async function generalId(token: string): Promise<string> {
  const general = (await server.client(token).api.channel.list.query()).items.find((c) => c.slug === 'general');
  if (!general) throw new Error('no #general');
  return general.id;
}

const call = (id: number, path: string, input: unknown, method = 'query') => ({
  id,
  method,
  params: { path, input },
});

/** Stops reading from the socket: the server's answers pile up on its side. */
const stopReading = (raw: RawSocket) => (raw.ws as unknown as { _socket: { pause(): void } })._socket.pause();

describe('per-user limits hold across connections', () => {
  it('counts one user’s writes on 8 sockets and over HTTP as one budget; others keep theirs', async () => {
    server = await startTestServer({ limits: { writes: { burst: 5, perSecond: 0.01 } } });
    const alice = await server.signup('alice');
    const bob = await server.signup('bob');
    const channelId = await generalId(alice.token);
    const sockets = Array.from({ length: 8 }, () => server.client(alice.token, { allOverWebSocket: true }));
    const results = await Promise.allSettled(
      sockets.map((s, i) => s.api.message.send.mutate({ channelId, content: `from socket ${i}` })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refused).toHaveLength(3);
    expect(refused[0]).toMatchObject({ data: { code: 'TOO_MANY_REQUESTS' } });
    expect((refused[0] as { data: { retryAfterMs: number } }).data.retryAfterMs).toBeGreaterThan(0);
    await expect(
      server.client(alice.token).api.message.send.mutate({ channelId, content: 'over HTTP' }),
    ).rejects.toMatchObject({ data: { code: 'TOO_MANY_REQUESTS' } });
    await expect(
      server.client(bob.token).api.message.send.mutate({ channelId, content: 'bob is fine' }),
    ).resolves.toMatchObject({ content: 'bob is fine' });
  });

  it('limits reads per user, and per address when signed out', async () => {
    server = await startTestServer({ limits: { reads: { burst: 10, perSecond: 0.01 } } });
    const alice = await server.signup('alice');
    const api = server.client(alice.token).api;
    const reads = await Promise.allSettled(Array.from({ length: 14 }, () => api.auth.me.query()));
    expect(reads.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const anonymous = server.client().api;
    const pings = await Promise.allSettled(Array.from({ length: 14 }, () => anonymous.system.ping.query()));
    expect(pings.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(pings.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { data: { code: 'TOO_MANY_REQUESTS' } },
    });
  });

  it('limits how many channels one person creates, and pages the channel list', async () => {
    server = await startTestServer({ limits: { channelCreatesPerHour: 4 } });
    const alice = await server.signup('alice');
    const api = server.client(alice.token).api;
    for (let i = 0; i < 4; i++) await api.channel.create.mutate({ slug: `room-${i}`, name: `Room ${i}` });
    await expect(api.channel.create.mutate({ slug: 'room-x', name: 'One too many' })).rejects.toMatchObject({
      data: { code: 'TOO_MANY_REQUESTS' },
      message: expect.stringMatching(/many channels in the last hour: try again in/),
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { slug: string }[]; nextCursor: string | null } = await api.channel.list.query({
        limit: 2,
        cursor,
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((c) => c.slug));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['general', 'room-0', 'room-1', 'room-2', 'room-3']);
  });
});

describe('one connection cannot take the server', () => {
  it('refuses a frame of 10,000 queries, answering each, while another client is served', async () => {
    server = await startTestServer();
    const alice = await server.signup('alice');
    const chatter = await startChatter(server);
    const raw = await rawSocket(`${server.wsUrl}?token=${alice.token}`);
    raw.ws.send(JSON.stringify(Array.from({ length: 10_000 }, (_, i) => call(i + 1, 'system.ping', null))));
    await chatter.expectAlive('a frame of 10,000 queries');
    await raw.frame((f) => f.id === 10_000, 15_000);
    expect(raw.frames.every((f) => errorCode(f) === 'BAD_REQUEST')).toBe(true);
    raw.ws.close();
  });

  it('caps subscriptions per connection with a clear error, and frees a slot when one stops', async () => {
    server = await startTestServer();
    const alice = await server.signup('alice');
    const channelId = await generalId(alice.token);
    const raw = await rawSocket(`${server.wsUrl}?token=${alice.token}`);
    const subscribe = (id: number) => call(id, 'channel.onEvent', { channelId }, 'subscription');
    raw.ws.send(JSON.stringify(Array.from({ length: 100 }, (_, i) => subscribe(i + 1))));
    await raw.frame((f) => f.id === 100 && (f.result as { type?: string })?.type === 'started');
    raw.ws.send(JSON.stringify(subscribe(101)));
    const refused = await raw.frame((f) => f.id === 101);
    expect(errorCode(refused)).toBe('TOO_MANY_REQUESTS');
    expect((refused.error as { message: string }).message).toMatch(/at most 100 subscriptions on one connection/);
    raw.ws.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
    raw.ws.send(JSON.stringify(subscribe(102)));
    await raw.frame((f) => f.id === 102 && (f.result as { type?: string })?.type === 'started');
    raw.ws.close();
  });

  it('cuts off a client that asks for answers and never reads them, with the resume close code', async () => {
    server = await startTestServer({ maxBufferedBytes: 256 * 1024 });
    const alice = await server.signup('alice');
    const chatter = await startChatter(server);
    const channelId = await generalId(alice.token);
    const api = server.client(alice.token).api;
    const content = 'z'.repeat(7_900);
    for (let i = 0; i < 100; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) => api.message.send.mutate({ channelId, content: `${i + j} ${content}` })),
      );
    }
    const raw = await rawSocket(`${server.wsUrl}?token=${alice.token}`);
    stopReading(raw);
    // 100 pages of 100 long messages: some 80 MB of answers, for a client that reads none of them.
    raw.ws.send(
      JSON.stringify(Array.from({ length: 100 }, (_, i) => call(i + 1, 'message.history', { channelId, limit: 100 }))),
    );
    await chatter.expectAlive('a client that stopped reading');
    const open = () => [...server.hubbub.wss.clients].filter((ws) => ws.readyState === ws.OPEN).length;
    const before = server.hubbub.wss.clients.size;
    await expect.poll(open, { timeout: 10_000 }).toBe(before - 1);
    (raw.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await raw.closed).code).toBe(4008);
  });
});

describe('sockets must sign in', () => {
  it('closes a socket that never sends its connection params, and one that never signs in', async () => {
    server = await startTestServer({ signInTimeoutMs: 1_000 });
    const chatter = await startChatter(server);
    const silent = await rawSocket(`${server.wsUrl}?connectionParams=1`);
    const anonymous = await rawSocket(server.wsUrl);
    anonymous.ws.send(JSON.stringify(call(1, 'system.ping', null)));
    expect(((await anonymous.frame((f) => f.id === 1)).result as { data: { pong: boolean } }).data.pong).toBe(true);
    for (const socket of [silent, anonymous]) {
      expect(await socket.closed).toEqual({
        code: 4401,
        reason: 'sign in within 1 s: send a token when the socket opens',
      });
    }
    await chatter.expectAlive('sockets that never signed in');
  });
});
