import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';
import { generalChannel, recordChannel } from './test/stream';

let server: TestServer;
afterEach(async () => {
  await server?.stop();
});

const messages = (events: { data: { type: string; message?: unknown } }[]) =>
  events.filter((e) => e.data.type === 'message.created').map((e) => (e.data.message as { content: string }).content);

describe('chat over real sockets', () => {
  it('a message sent over plain HTTP POST reaches two WebSocket subscribers', async () => {
    server = await startTestServer();
    const alice = await server.signup('alice');
    const bob = await server.signup('bob');
    const a = server.client(alice.token);
    const b = server.client(bob.token);
    const channel = await generalChannel(a);
    const ra = recordChannel(a, channel.id);
    const rb = recordChannel(b, channel.id);
    await ra.until((e) => e.some((x) => x.data.type === 'presence'));
    await rb.until((e) => e.some((x) => x.data.type === 'presence'));

    const res = await fetch(`${server.url}/trpc/message.send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.token}` },
      body: JSON.stringify({ channelId: channel.id, content: 'hello over http' }),
    });
    expect(res.status).toBe(200);
    const sent = ((await res.json()) as { result: { data: { content: string } } }).result.data;
    expect(sent.content).toBe('hello over http');

    for (const r of [ra, rb]) {
      await r.until((e) => messages(e).includes('hello over http'));
      const created = r.changes().find((e) => e.data.type === 'message.created');
      expect(created?.id).toMatch(/^[\w-]+:\d+$/);
    }
  });

  it('resume after a disconnect replays exactly the missed messages, then goes live', async () => {
    server = await startTestServer();
    const alice = await server.signup('alice');
    const bob = await server.signup('bob');
    const a = server.client(alice.token);
    const channel = await generalChannel(a);
    const page = await a.api.message.history.query({ channelId: channel.id });

    const first = recordChannel(a, channel.id, page.eventId);
    await a.api.message.send.mutate({ channelId: channel.id, content: 'm1' });
    await first.until((e) => messages(e).includes('m1'));
    const lastSeen = first.changes().at(-1)?.id as string;
    first.stop();

    const b = server.client(bob.token);
    for (const content of ['m2', 'm3', 'm4']) await b.api.message.send.mutate({ channelId: channel.id, content });

    const resumed = recordChannel(a, channel.id, lastSeen);
    await resumed.until((e) => messages(e).length === 3);
    await b.api.message.send.mutate({ channelId: channel.id, content: 'm5' });
    await resumed.until((e) => messages(e).includes('m5'));
    expect(messages(resumed.events)).toEqual(['m2', 'm3', 'm4', 'm5']);
    const offsets = resumed.changes().map((e) => Number(e.id.split(':')[1]));
    expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
    expect(new Set(offsets).size).toBe(offsets.length);
  });

  it('an id from another epoch gets a reset first', async () => {
    server = await startTestServer();
    const alice = await server.signup('alice');
    const a = server.client(alice.token);
    const channel = await generalChannel(a);
    const r = recordChannel(a, channel.id, 'someotherepoch:3');
    await r.until((e) => e.length > 0);
    expect(r.events[0]?.data.type).toBe('reset');
    await a.api.message.send.mutate({ channelId: channel.id, content: 'after reset' });
    await r.until((e) => messages(e).includes('after reset'));
  });

  it('a real client whose socket drops reconnects and resumes with no gap and no duplicate', async () => {
    server = await startTestServer();
    const alice = await server.signup('alice');
    const bob = await server.signup('bob');
    const a = server.client(alice.token);
    const b = server.client(bob.token);
    const channel = await generalChannel(a);
    const page = await a.api.message.history.query({ channelId: channel.id });
    const stream = recordChannel(a, channel.id, page.eventId);
    await stream.until((e) => e.some((x) => x.data.type === 'presence'));

    // Sends go on while every socket is cut twice: each reconnects, and alice's stream resumes from its last id.
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      sends.push(b.api.message.send.mutate({ channelId: channel.id, content: `n${i}` }));
      if (i === 10 || i === 20) {
        for (const ws of server.hubbub.wss.clients) ws.terminate();
        await Promise.all(sends);
      }
    }
    await Promise.all(sends);
    await stream.until((e) => messages(e).length >= 30, 15_000);
    // Exactly the stored sequence (concurrent sends may be stored in any order): no gap, no duplicate.
    const stored = (await a.api.message.history.query({ channelId: channel.id, limit: 100 })).items.reverse();
    expect(messages(stream.events)).toEqual(stored.map((m) => m.content));
    expect(new Set(messages(stream.events)).size).toBe(30);
  });
});
