/**
 * Attacks through Server-Sent Events (the HTTP fallback for subscriptions):
 * SSE streams obey the WebSocket's rules. Ended credentials end them at once,
 * one person cannot open them without bound, a reader that stops reading is
 * cut off (and resumes without loss), and each stream is a connection of its
 * address. Everyone else keeps being served.
 */
import { createHubbubClient, type HubbubClient } from '@hubbub/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_SSE_STREAMS_PER_USER } from '../http/sse-streams';
import { startTestServer, type TestServer } from '../test/harness';
import { readSse, type SseEvent, type SseReader, sseUrl } from '../test/sse-reader';
import { startChatter } from './alive';

const WAIT = 20_000;
let server: TestServer;
const clients: HubbubClient[] = [];
const readers: SseReader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.stop();
});

async function generalId(token: string): Promise<string> {
  const client = server.client(token, { transport: 'http' });
  const general = (await client.api.channel.list.query()).items.find((c) => c.slug === 'general');
  if (!general) throw new Error('no #general');
  return general.id;
}

/** A raw SSE stream of #general for `token`, once it is live (its first event has arrived). */
async function follow(channelId: string, token: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const reader = await readSse(sseUrl(server.url, 'channel.onEvent', { channelId }), {
    authorization: `Bearer ${token}`,
    ...headers,
  });
  readers.push(reader);
  await reader.until((e) => e.some((x) => x.event === 'message' || x.event === 'serialized-error'), WAIT);
  return reader;
}

const refusal = (events: SseEvent[]) => {
  const error = events.find((e) => e.event === 'serialized-error');
  return error ? (JSON.parse(error.data) as { message: string; data: { code: string } }) : null;
};

describe('SSE streams obey the same limits as WebSockets', () => {
  it('an ended session and a revoked key end their open streams at once, with the reason', {
    timeout: 60_000,
  }, async () => {
    server = await startTestServer();
    const admin = await server.signup('alice');
    const chatter = await startChatter(server);
    const channelId = await generalId(admin.token);

    const session = await follow(channelId, admin.token);
    const logout = await fetch(`${server.url}/trpc/auth.logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
      body: 'null',
    });
    expect(logout.status).toBe(200);
    await session.ended;
    expect(refusal(session.events)).toMatchObject({ message: 'you logged out', data: { code: 'UNAUTHORIZED' } });

    // A key's stream through the Node client: its subscriber and onUnauthorized both hear why, as with close 4401.
    const login = await fetch(`${server.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle: 'alice', password: 'correct horse battery' }),
    });
    const { token } = ((await login.json()) as { result: { data: { token: string } } }).result.data;
    const adminApi = server.client(token).api;
    const { key, apiKey } = await adminApi.apiKey.create.mutate({ name: 'builder', role: 'agent' });
    const told = vi.fn();
    const agent = createHubbubClient({ url: server.url, token: key, transport: 'http', onUnauthorized: told });
    clients.push(agent);
    const tasks = recordTasks(agent);
    await vi.waitFor(() => expect(server.hubbub.deps.hub.stats.subscriptions).toBeGreaterThan(1), { timeout: WAIT });
    await adminApi.apiKey.revoke.mutate({ id: apiKey.id });
    await vi.waitFor(() => expect(told).toHaveBeenCalledWith('this API key was revoked'), { timeout: WAIT });
    expect(tasks.errors[0]).toMatchObject({ message: 'this API key was revoked', data: { code: 'UNAUTHORIZED' } });
    await chatter.expectAlive('ended credentials');
  });

  it(`one person holds at most ${DEFAULT_MAX_SSE_STREAMS_PER_USER} streams; others are served, and a closed one frees its slot`, {
    timeout: 60_000,
  }, async () => {
    server = await startTestServer();
    const alice = await server.signup('alice');
    const bob = await server.signup('bob');
    const chatter = await startChatter(server);
    const channelId = await generalId(alice.token);

    const open = await Promise.all(
      Array.from({ length: DEFAULT_MAX_SSE_STREAMS_PER_USER }, () => follow(channelId, alice.token)),
    );
    expect(open.every((r) => refusal(r.events) === null)).toBe(true);
    const over = await follow(channelId, alice.token);
    await over.ended;
    expect(refusal(over.events)).toMatchObject({ data: { code: 'TOO_MANY_REQUESTS' } });
    expect(refusal(over.events)?.message).toMatch(/at most 100 live streams per person/);

    const other = await follow(channelId, bob.token);
    expect(refusal(other.events)).toBeNull();
    open[0]?.close();
    await vi.waitFor(
      async () => {
        const again = await follow(channelId, alice.token);
        expect(refusal(again.events)).toBeNull();
      },
      { timeout: WAIT, interval: 100 },
    );
    await chatter.expectAlive('a hundred streams');
  });

  it('a reader that stops reading is cut off, and resumes from its Last-Event-ID without loss', {
    timeout: 120_000,
  }, async () => {
    const maxBufferedBytes = 256 * 1024;
    server = await startTestServer({ maxBufferedBytes });
    const alice = await server.signup('alice');
    const chatter = await startChatter(server);
    const channelId = await generalId(alice.token);
    const hub = server.hubbub.deps.hub;
    const subscribed = hub.stats.subscriptions;

    const slow = await follow(channelId, alice.token);
    expect(hub.stats.subscriptions).toBe(subscribed + 1);
    slow.pause();
    // Big messages until the server gives up on the reader (its stream leaves the hub); the bystander reads on.
    const writer = createHubbubClient({ url: server.url, token: alice.token });
    clients.push(writer);
    const sent: string[] = [];
    const filler = 'x'.repeat(7_000);
    while (hub.stats.subscriptions > subscribed) {
      if (sent.length >= 4_000) throw new Error('the slow reader was never cut off');
      const batch = Array.from({ length: 20 }, (_, i) => `${sent.length + i} ${filler}`);
      await Promise.all(batch.map((content) => writer.api.message.send.mutate({ channelId, content })));
      sent.push(...batch);
    }
    await chatter.expectAlive('a reader that stopped reading');

    // What did reach the reader before the cut is whole and in order; it then resumes where it stopped.
    slow.resume();
    await slow.ended;
    const before = slow.messages().filter((m) => m.data.type === 'message.created');
    expect(before.length).toBeLessThan(sent.length);
    const lastId = slow.messages().at(-1)?.id;
    if (!lastId) throw new Error('the reader got nothing');
    const resumed = await follow(channelId, alice.token, { 'last-event-id': lastId });
    const count = () => resumed.messages().filter((m) => m.data.type === 'message.created').length;
    // (+1: the bystander's message is among them.)
    await resumed.until(() => before.length + count() >= sent.length + 1, WAIT * 3);
    const received = [...before, ...resumed.messages().filter((m) => m.data.type === 'message.created')]
      .map((m) => (m.data.message as { content: string }).content)
      .filter((content) => !content.startsWith('still chatting'));
    expect(received.length).toBe(sent.length);
    expect(received.every((content, i) => content === sent[i])).toBe(true);
  });

  it('each stream holds one of its address’s connections', { timeout: 60_000 }, async () => {
    // Idle keep-alive connections close at once here, so the count is the streams alone.
    server = await startTestServer({ maxConnectionsPerAddress: 3, httpTimeouts: { keepAliveMs: 100 } });
    const alice = await server.signup('alice');
    const channelId = await generalId(alice.token);
    const openConnections = () =>
      new Promise<number>((resolve, reject) =>
        server.hubbub.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
    await vi.waitFor(async () => expect(await openConnections()).toBe(0), { timeout: WAIT, interval: 50 });

    const streams = await Promise.all([1, 2, 3].map(() => follow(channelId, alice.token)));
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
    const fourth = await readSse(sseUrl(server.url, 'channel.onEvent', { channelId }), {
      authorization: `Bearer ${alice.token}`,
    });
    readers.push(fourth);
    expect(fourth.status).toBe(429);
    streams[0]?.close();
    await vi.waitFor(async () => expect((await follow(channelId, alice.token)).status).toBe(200), {
      timeout: WAIT,
      interval: 100,
    });
  });
});

/** Follows the task stream, recording its errors. */
function recordTasks(client: HubbubClient) {
  const errors: unknown[] = [];
  client.api.task.onEvent.subscribe({}, { onError: (error) => errors.push(error) });
  return { errors };
}
