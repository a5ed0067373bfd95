/**
 * Push streams on real sockets: subscribers of one event with the same head share one complete frame (one
 * socket write each), and frames a connection gets in one tick (a resume's replay page) leave in one write.
 */
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { initTRPC } from '@trpc/server';
import { describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { listen, RawSocket, type TestServer } from './compat/harness';
import { MAX_SHARED_FRAMES } from './frames';
import { applyWSSHandler, PUSH_STREAM, type PushSink, type PushStream } from './index';

const t = initTRPC.create();

/** A router whose `pushed` subscription hands its sink to the test, which then sends as a bus would. */
function pushRouter(sinks: PushSink[]) {
  return t.router({
    pushed: t.procedure.subscription(() => {
      const stream: PushStream = { [PUSH_STREAM]: (sink) => void sinks.push(sink), stop: () => {} };
      return stream as unknown as AsyncIterable<never>;
    }),
  });
}

/** A push stream that, like a resumable one, reads a little (a turn later) and then greets or fails. */
function greetingRouter(start: (sink: PushSink) => void) {
  return t.router({
    greeted: t.procedure.subscription(() => {
      const stream: PushStream = {
        [PUSH_STREAM]: async (sink) => {
          await new Promise((resolve) => setImmediate(resolve));
          start(sink);
        },
        stop: () => {},
      };
      return stream as unknown as AsyncIterable<never>;
    }),
  });
}

/** A server of `greetingRouter(start)` and a client connected to it (not yet subscribed). */
async function greetedClient(start: (sink: PushSink) => void) {
  const server = await listen();
  applyWSSHandler({ router: greetingRouter(start), wss: server.wss });
  return { server, client: await RawSocket.open(server.url) };
}

async function serve(wss?: WebSocketServer) {
  const server = await listen();
  const sinks: PushSink[] = [];
  applyWSSHandler({ router: pushRouter(sinks), wss: wss ?? server.wss });
  return { server, sinks };
}

const subscribe = (id: number) => ({ id, method: 'subscription', params: { path: 'pushed' } });

/** A server with one client subscribed to `pushed`, its `started` read. */
async function subscribedClient() {
  const { server, sinks } = await serve();
  const client = await RawSocket.open(server.url);
  client.send(subscribe(1));
  await client.next();
  return { server, sinks, client };
}
const dataFrame = (id: number, eventId: string, data: unknown) => ({
  id,
  result: { type: 'data', id: eventId, data: { id: eventId, data } },
});

/**
 * What the server writes to one connection's TCP socket: each `write` call's chunk, and how many writes reach
 * the socket's handle (a corked run of writes reaches it as one writev).
 */
function recordWrites(server: TestServer, index: number) {
  const socket = (server.sockets[index] as unknown as { _socket: Socket })._socket;
  const chunks: unknown[] = [];
  const write = socket.write.bind(socket) as (chunk: unknown) => boolean;
  socket.write = ((chunk: unknown) => {
    chunks.push(chunk);
    return write(chunk);
  }) as Socket['write'];
  const handle = socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => void>;
  const flushes = { count: 0 };
  for (const method of ['_write', '_writev'] as const) {
    const original = handle[method].bind(socket);
    handle[method] = (...args: unknown[]) => {
      flushes.count++;
      original(...args);
    };
  }
  return { chunks, flushes };
}

describe('shared frames', () => {
  it('writes the same bytes to every subscriber with the same subscription id, one write each, data intact', async () => {
    const { server, sinks } = await serve();
    await using _server = server;
    await using first = await RawSocket.open(server.url);
    await using second = await RawSocket.open(server.url);
    for (const socket of [first, second]) {
      socket.send(subscribe(1));
      expect(await socket.next()).toEqual({ id: 1, result: { type: 'started' } });
    }
    const writes = [recordWrites(server, 0), recordWrites(server, 1)];
    const event = { kind: 'bus event' };
    const data = { text: 'héllo', n: 1 };
    for (const sink of sinks) sink.send('e:1', data, event);
    const frames = [await first.nextFrame(), await second.nextFrame()];
    expect(frames[0]?.text).toBe(frames[1]?.text);
    expect(JSON.parse(frames[0]?.text ?? '')).toEqual(dataFrame(1, 'e:1', data));
    // One write per delivery, and it is the one buffer built for both.
    expect(writes.map((w) => w.chunks.length)).toEqual([1, 1]);
    expect(writes[0]?.chunks[0]).toBe(writes[1]?.chunks[0]);
    // The next event is a frame of its own.
    for (const sink of sinks) sink.send('e:2', 'second', { kind: 'another bus event' });
    expect(await first.next()).toEqual(dataFrame(1, 'e:2', 'second'));
    expect(await second.next()).toEqual(dataFrame(1, 'e:2', 'second'));
    expect(writes[0]?.chunks[1]).not.toBe(writes[0]?.chunks[0]);
  });

  it('gives each subscription id its own frame, correct past the cache bound and with jsonrpc heads', async () => {
    const { server, sinks } = await serve();
    await using _server = server;
    const ids = Array.from({ length: MAX_SHARED_FRAMES + 3 }, (_, i) => i + 1);
    const sockets: RawSocket[] = [];
    for (const id of ids) {
      const socket = await RawSocket.open(server.url);
      sockets.push(socket);
      socket.send(id === 2 ? { ...subscribe(id), jsonrpc: '2.0' } : subscribe(id));
      await socket.next();
    }
    // A large event too: its frame is one buffer of the header, the head and the whole tail.
    const big = 'z'.repeat(70_000);
    const event = { kind: 'bus event' };
    for (const sink of sinks) sink.send('e:9', big, event);
    for (const [i, socket] of sockets.entries()) {
      const id = ids[i] as number;
      const expected = dataFrame(id, 'e:9', big);
      expect(await socket.next()).toEqual(id === 2 ? { ...expected, jsonrpc: '2.0' } : expected);
    }
    for (const socket of sockets) await socket[Symbol.asyncDispose]();
  });

  it('keeps the order through ws.send while its sender is busy, then writes directly again', async () => {
    const { server, sinks, client } = await subscribedClient();
    await using _server = server;
    await using _client = client;
    const serverSide = server.sockets[0] as WebSocket;
    // A Blob is read asynchronously: ws's sender is busy until then, and what is sent meanwhile queues behind it.
    serverSide.send(new Blob(['first']));
    for (let i = 1; i <= 3; i++) sinks[0]?.send(`e:${i}`, i, { kind: 'bus event' });
    expect((await client.nextFrame()).text).toBe('first');
    for (let i = 1; i <= 3; i++) expect(await client.next()).toEqual(dataFrame(1, `e:${i}`, i));
    const writes = recordWrites(server, 0);
    sinks[0]?.send('e:4', 4, { kind: 'bus event' });
    expect(await client.next()).toEqual(dataFrame(1, 'e:4', 4));
    expect(writes.chunks).toHaveLength(1);
  });

  it('goes through ws.send when compression is negotiated, and the frames still arrive intact', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: true });
    await once(wss, 'listening');
    const { sinks } = await serve(wss);
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    const received: string[] = [];
    client.on('message', (data: Buffer) => received.push(data.toString()));
    await once(client, 'open');
    client.send(JSON.stringify(subscribe(1)));
    await vi.waitFor(() => expect(received).toHaveLength(1));
    const event = { kind: 'bus event' };
    sinks[0]?.send('e:1', 'x'.repeat(3000), event);
    sinks[0]?.send('e:2', 'y', { kind: 'another' });
    await vi.waitFor(() => expect(received).toHaveLength(3));
    expect(received.slice(1).map((frame) => JSON.parse(frame))).toEqual([
      dataFrame(1, 'e:1', 'x'.repeat(3000)),
      dataFrame(1, 'e:2', 'y'),
    ]);
    client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });
});

describe('one socket write per tick', () => {
  it('sends a replay of N events, complete and in order, in one socket write', async () => {
    const { server, sinks, client } = await subscribedClient();
    await using _server = server;
    await using _client = client;
    const writes = recordWrites(server, 0);
    const replay = Array.from({ length: 50 }, (_, i) => ({ offset: i + 1, text: `message ${i + 1}` }));
    // A resume's replay page: one event at a time through the sink, in one tick, none shared.
    for (const event of replay) sinks[0]?.send(`e:${event.offset}`, event, null);
    for (const event of replay) expect(await client.next()).toEqual(dataFrame(1, `e:${event.offset}`, event));
    expect(writes.chunks).toHaveLength(replay.length);
    expect(writes.flushes.count).toBe(1);
    // The next tick's live event goes out on its own.
    sinks[0]?.send('e:51', 'live', { kind: 'bus event' });
    expect(await client.next()).toEqual(dataFrame(1, 'e:51', 'live'));
    expect(writes.flushes.count).toBe(2);
  });

  it('gathers several live events to one connection in a tick into one write after the first', async () => {
    const { server, sinks, client } = await subscribedClient();
    await using _server = server;
    await using _client = client;
    const writes = recordWrites(server, 0);
    for (let i = 1; i <= 5; i++) sinks[0]?.send(`e:${i}`, i, { kind: 'bus event' });
    for (let i = 1; i <= 5; i++) expect(await client.next()).toEqual(dataFrame(1, `e:${i}`, i));
    // The first goes straight out (a fan-out's one write per socket pays for no cork), the other four together.
    expect(writes.flushes.count).toBe(2);
  });
});

describe('the answer to a subscribe', () => {
  const subscribeGreeted = { id: 1, method: 'subscription', params: { path: 'greeted' } };

  it('sends "started" with the stream\'s first frame, in one socket write', async () => {
    const { server, client } = await greetedClient((sink) => sink.send('e:0', 'hello', null));
    await using _server = server;
    await using _client = client;
    await vi.waitFor(() => expect(server.sockets).toHaveLength(1));
    const writes = recordWrites(server, 0);
    client.send(subscribeGreeted);
    expect(await client.next()).toEqual({ id: 1, result: { type: 'started' } });
    expect(await client.next()).toEqual(dataFrame(1, 'e:0', 'hello'));
    expect(writes.chunks).toHaveLength(2);
    expect(writes.flushes.count).toBe(1);
  });

  it('sends "started" once the stream is live when it has nothing to send yet', async () => {
    const sinks: PushSink[] = [];
    const { server, client } = await greetedClient((sink) => void sinks.push(sink));
    await using _server = server;
    await using _client = client;
    client.send(subscribeGreeted);
    expect(await client.next()).toEqual({ id: 1, result: { type: 'started' } });
    sinks[0]?.send('e:1', 'later', null);
    expect(await client.next()).toEqual(dataFrame(1, 'e:1', 'later'));
  });

  it('sends "started" before the error of a stream that fails to start, then "stopped"', async () => {
    const { server, client } = await greetedClient((sink) =>
      sink.end({ kind: 'error', error: new Error('the store is down') }),
    );
    await using _server = server;
    await using _client = client;
    client.send(subscribeGreeted);
    expect(await client.next()).toEqual({ id: 1, result: { type: 'started' } });
    expect(await client.next()).toMatchObject({ id: 1, error: { message: 'the store is down' } });
    expect(await client.next()).toEqual({ id: 1, result: { type: 'stopped' } });
  });
});
