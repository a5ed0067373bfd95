/**
 * Live subscribers of a public channel that are in step, on one adapter with the same subscription id, take each
 * event together (api's LiveCohort, trpc-ws's Broadcast): one listener on the hub for all of them, one frame written
 * to their sockets. These tests hold it to what each subscriber would get alone: every event once, in order, and a
 * member that leaves (it stops, falls behind, its socket is busy, the bus skipped an event) loses nothing.
 */
import { parseEventId } from '@hubbub/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket as ServerSocket } from 'ws';
import { startTestServer, type TestServer } from './test/harness';
import { type RawSocket, rawSocket } from './test/raw-socket';

let server: TestServer;
afterEach(async () => {
  await server?.stop();
});

type Frame = Record<string, unknown>;
const result = (frame: Frame) => frame.result as { type?: string; id?: string; data?: { data?: { type?: string } } };
const dataFrames = (socket: RawSocket, type?: string) =>
  socket.frames.filter((f) => result(f)?.type === 'data' && (!type || result(f).data?.data?.type === type));
const created = (socket: RawSocket) => dataFrames(socket, 'message.created');
const offsets = (frames: Frame[]) => frames.map((f) => parseEventId(result(f).id)?.offset);
const contents = (socket: RawSocket) =>
  created(socket).map(
    (f) => (result(f).data?.data as { message?: { content?: string } } | undefined)?.message?.content,
  );

/** A server, its general channel, a poster, and `count` raw sockets subscribed to the channel as subscription 1. */
async function cohortOf(count: number, options: Parameters<typeof startTestServer>[0] = {}) {
  server = await startTestServer(options);
  const poster = server.client((await server.signup('poster')).token);
  const general = (await poster.api.channel.list.query()).items.find((c) => c.slug === 'general');
  if (!general) throw new Error('no general channel');
  const channelId = general.id;
  const members: RawSocket[] = [];
  for (let i = 0; i < count; i++) {
    const { token } = await server.signup(`member${i}`);
    const socket = await rawSocket(`${server.wsUrl}?token=${token}`);
    socket.ws.send(
      JSON.stringify({ id: 1, method: 'subscription', params: { path: 'channel.onEvent', input: { channelId } } }),
    );
    await socket.frame((f) => f.id === 1 && result(f)?.type === 'started');
    members.push(socket);
  }
  const send = (content: string) => poster.api.message.send.mutate({ channelId, content });
  /** Until every member got `n` messages. */
  const allGot = (n: number) => Promise.all(members.map((m) => m.frame(() => created(m).length >= n)));
  const listeners = () => server.hubbub.deps.hub.stats.listeners;
  return { channelId, members, send, allGot, listeners };
}

/** The server's side of a raw socket (the ws the adapter writes to). */
function serverSide(socket: RawSocket): ServerSocket {
  const port = (socket.ws as unknown as { _socket: { localPort: number } })._socket.localPort;
  const found = [...server.hubbub.wss.clients].find(
    (ws) => (ws as unknown as { _socket: { remotePort: number } })._socket.remotePort === port,
  );
  if (!found) throw new Error('no server socket for that client');
  return found;
}

describe('subscribers in step take each event together', () => {
  it('every member gets every event once, in order, and the hub hands each event to one listener for all of them', async () => {
    const { members, send, allGot, listeners } = await cohortOf(4);
    // Each joined as the ones before it heard of it (member.joined): by the next event the four are in step.
    await send('first');
    await allGot(1);
    expect(listeners()).toBe(1);
    for (let i = 2; i <= 12; i++) await send(`message ${i}`);
    await allGot(12);
    const first = offsets(created(members[0] as RawSocket));
    expect(first).toHaveLength(12);
    for (let i = 1; i < first.length; i++) expect(first[i]).toBe((first[i - 1] as number) + 1);
    for (const member of members) {
      expect(offsets(created(member))).toEqual(first);
      expect(contents(member)).toEqual(['first', ...Array.from({ length: 11 }, (_, i) => `message ${i + 2}`)]);
    }
  });

  it('a member that stops hears nothing more, and is told; the others go on', async () => {
    const { members, send, allGot, listeners } = await cohortOf(3);
    await send('one');
    await allGot(1);
    expect(listeners()).toBe(1);
    const [leaving, ...staying] = members as [RawSocket, ...RawSocket[]];
    leaving.ws.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
    await leaving.frame((f) => f.id === 1 && result(f)?.type === 'stopped');
    await send('two');
    await send('three');
    await Promise.all(staying.map((m) => m.frame(() => created(m).length === 3)));
    expect(created(leaving)).toHaveLength(1);
    expect(listeners()).toBe(1);
  });

  it('an event the bus did not carry: every member fills the gap from the store, nothing lost or twice', async () => {
    const { channelId, members, send, allGot, listeners } = await cohortOf(3);
    await send('before');
    await allGot(1);
    expect(listeners()).toBe(1);
    // Stored and never published: the next published event skips past it.
    const { stores } = server.hubbub.deps;
    await stores.chat.sendMessage({ channelId, authorId: null, content: 'unpublished' });
    await send('after');
    await allGot(3);
    for (const member of members) {
      expect(contents(member)).toEqual(['before', 'unpublished', 'after']);
    }
    // In step again once the gap is filled: the next event brings them back together.
    await send('again');
    await allGot(4);
    expect(listeners()).toBe(1);
  });

  it('the bus reconnecting (resync) sends every member to the store, nothing lost or twice', async () => {
    const { members, send, allGot } = await cohortOf(3);
    await send('one');
    await allGot(1);
    server.hubbub.deps.hub.resync();
    await send('two');
    await send('three');
    await allGot(3);
    for (const member of members) expect(created(member)).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const member of members) expect(created(member)).toHaveLength(3);
  });

  it('a signal (typing) reaches each member once, with the position of the last event', async () => {
    const { channelId, members, send, allGot, listeners } = await cohortOf(3);
    await send('one');
    await allGot(1);
    expect(listeners()).toBe(1);
    const typing = { type: 'typing', userId: 'u', displayName: 'U', until: new Date().toISOString() };
    await server.hubbub.deps.bus.publish(channelId, { kind: 'signal', signal: typing } as never);
    await Promise.all(members.map((m) => m.frame(() => dataFrames(m, 'typing').length === 1)));
    for (const member of members) {
      expect(dataFrames(member, 'typing')).toHaveLength(1);
      expect(result(dataFrames(member, 'typing')[0] as Frame).id).toBe(result(created(member)[0] as Frame).id);
    }
  });

  it("a member whose socket is busy (ws is sending) gets the event behind ws's frame, then rejoins", async () => {
    const { channelId, members, send, allGot, listeners } = await cohortOf(3);
    await send('one');
    await allGot(1);
    expect(listeners()).toBe(1);
    const busy = members[0] as RawSocket;
    // A Blob is read asynchronously: ws's sender is busy until then, and frames sent meanwhile queue behind it.
    serverSide(busy).send(new Blob(['{"blob":true}']));
    const typing = { type: 'typing', userId: 'u', displayName: 'U', until: new Date().toISOString() };
    await server.hubbub.deps.bus.publish(channelId, { kind: 'signal', signal: typing } as never);
    await Promise.all(members.map((m) => m.frame(() => dataFrames(m, 'typing').length === 1)));
    const blobAt = busy.frames.findIndex((f) => f.blob === true);
    expect(blobAt).toBeGreaterThanOrEqual(0);
    expect(busy.frames.indexOf(dataFrames(busy, 'typing')[0] as Frame)).toBeGreaterThan(blobAt);
    expect(listeners()).toBe(2);
    await send('two');
    await allGot(2);
    expect(listeners()).toBe(1);
    for (const member of members) expect(offsets(created(member))).toEqual(offsets(created(busy)));
  });

  it('a member whose socket stops draining is cut off (4008); the rest of the cohort gets everything', async () => {
    // The least limit the server takes, under one tick's burst of sends (50 × 8 KB, corked until the tick ends),
    // which the healthy members take without being judged slow.
    const { members, send, allGot, listeners } = await cohortOf(3, { maxBufferedBytes: 64 * 1024 });
    await send('one');
    await allGot(1);
    expect(listeners()).toBe(1);
    const [stalled, ...healthy] = members as [RawSocket, ...RawSocket[]];
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const stalledSide = serverSide(stalled);
    const content = 'z'.repeat(7900);
    let sent = 1;
    while (sent < 2000 && stalledSide.readyState === stalledSide.OPEN) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => send(`${sent + j} ${content}`)));
      sent += 50;
    }
    expect(stalledSide.readyState).not.toBe(stalledSide.OPEN);
    (stalled.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await stalled.closed).code).toBe(4008);
    await Promise.all(
      healthy.map((m) =>
        m
          .frame(() => created(m).length === sent, 20_000)
          .catch(() => {
            throw new Error(`got ${created(m).length} of ${sent}: ${JSON.stringify(offsets(created(m)).slice(-5))}`);
          }),
      ),
    );
    for (const member of healthy) expect(new Set(offsets(created(member))).size).toBe(sent);
  }, 60_000);
});
