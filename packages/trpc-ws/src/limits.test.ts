/**
 * What this adapter adds to the stock one: the limits a server sets, the
 * bounded backlog (pulled streams pause, a client that reads nothing is cut
 * off), and the PushStream extension point.
 */
import { initTRPC, tracked } from '@trpc/server';
import { isObservable } from '@trpc/server/observable';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { listen, RawSocket } from './compat/harness';
import { deferred } from './compat/recorders';
import { query } from './compat/wire-router';
import {
  applyWSSHandler,
  CLOSE_TOO_SLOW,
  isPushStream,
  PUSH_STREAM,
  type PushSink,
  type PushStream,
  PushSubscription,
  type WSSHandlerOptions,
} from './index';

async function serve(options: Omit<WSSHandlerOptions<ReturnType<typeof router>>, 'wss' | 'router'> = {}) {
  const server = await listen();
  applyWSSHandler({ ...options, router: router(), wss: server.wss });
  return server;
}

const t = initTRPC.create();
const slowGate = { current: deferred() };
/** The sinks of the push streams subscribed so far, newest last. */
const sinks: PushSink[] = [];
const pulled = { count: 0 };

/** A push stream that is its own subscription (as Hubbub's resumable stream is). */
class OwnSubscription extends PushSubscription {
  sink: PushSink | null = null;
  stopped = false;
  [PUSH_STREAM](sink: PushSink): void {
    this.sink = sink;
  }
  stop(): void {
    this.stopped = true;
  }
}
const own: OwnSubscription[] = [];

function router() {
  return t.router({
    ping: t.procedure.query(() => 'pong'),
    slow: t.procedure.input(z.number()).query(async ({ input }) => {
      await slowGate.current.promise;
      return input;
    }),
    big: t.procedure.query(() => 'x'.repeat(64 * 1024)),
    /** Pushes whatever the test sends into its sink. */
    pushed: t.procedure.subscription(() => {
      const stream: PushStream = {
        [PUSH_STREAM]: (sink) => {
          sinks.push(sink);
        },
        stop: vi.fn(),
      };
      return stream as unknown as AsyncIterable<never>;
    }),
    own: t.procedure.subscription(() => {
      const stream = new OwnSubscription();
      own.push(stream);
      return stream as unknown as AsyncIterable<never>;
    }),
    /** The same stream for every call: a mistake the adapter refuses. */
    same: t.procedure.subscription(() => {
      own[0] ??= new OwnSubscription();
      return own[0] as unknown as AsyncIterable<never>;
    }),
    /** As fast as it is pulled: 16 KB per value. */
    firehose: t.procedure.subscription(async function* () {
      for (let i = 0; ; i++) {
        pulled.count++;
        yield tracked(String(i), 'y'.repeat(16 * 1024));
      }
    }),
  });
}

const stopReading = (socket: RawSocket) => (socket.ws as unknown as { _socket: { pause(): void } })._socket.pause();
const subscribe = (id: number, path: string) => ({ id, method: 'subscription', params: { path } });

describe('limits a server sets', () => {
  it('answers each call of a frame over maxBatch with the reason, and runs none', async () => {
    await using server = await serve({ limits: { maxBatch: 3 } });
    await using socket = await RawSocket.open(server.url);
    socket.send([query(1, 'ping'), query(2, 'ping'), query(3, 'ping'), query(4, 'ping')]);
    const answers = await socket.take(4);
    expect(answers.map((a) => a.error?.data?.code)).toEqual(Array(4).fill('BAD_REQUEST'));
    expect(answers[0].error.message).toBe('one message may carry at most 3 calls (this one had 4)');
    socket.send([query(5, 'ping'), query(6, 'ping')]);
    expect((await socket.take(2)).map((a) => a.result.data)).toEqual(['pong', 'pong']);
  });

  it('runs at most maxInFlight calls at once; the rest wait their turn and are all answered', async () => {
    slowGate.current = deferred();
    await using server = await serve({ limits: { maxInFlight: 2 } });
    await using socket = await RawSocket.open(server.url);
    socket.send([query(1, 'slow', 1), query(2, 'slow', 2), query(3, 'ping')]);
    // The ping waits behind the two slow calls holding both slots.
    await expect(socket.nextFrame(300)).rejects.toThrow('no frame within 300 ms');
    slowGate.current.resolve();
    const answers = await socket.take(3);
    expect(answers.map((a) => a.id).sort()).toEqual([1, 2, 3]);
  });

  it('refuses subscriptions past maxSubscriptions with TOO_MANY_REQUESTS', async () => {
    await using server = await serve({ limits: { maxSubscriptions: 2 } });
    await using socket = await RawSocket.open(server.url);
    socket.send([subscribe(1, 'pushed'), subscribe(2, 'pushed'), subscribe(3, 'pushed')]);
    const answers = await socket.take(3);
    expect(answers.filter((a) => a.result?.type === 'started')).toHaveLength(2);
    expect(answers.find((a) => a.id === 3)?.error.data.code).toBe('TOO_MANY_REQUESTS');
  });

  it('cuts off a client whose unsent answers pass maxBufferedBytes (close 4008)', async () => {
    await using server = await serve({ limits: { maxBufferedBytes: 256 * 1024 } });
    await using socket = await RawSocket.open(server.url);
    stopReading(socket);
    socket.send(Array.from({ length: 200 }, (_, i) => query(i + 1, 'big')));
    await vi.waitFor(() => expect(server.sockets[0]?.readyState).toBe(server.sockets[0]?.CLOSING), { timeout: 10_000 });
    (socket.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await socket.closed).code).toBe(CLOSE_TOO_SLOW);
  });

  it("does not cut off a reading client for one tick's burst of frames past the limit (they wait for the tick's end)", async () => {
    sinks.length = 0;
    await using server = await serve({ limits: { maxBufferedBytes: 64 * 1024 } });
    await using socket = await RawSocket.open(server.url);
    socket.send(subscribe(1, 'pushed'));
    expect(await socket.next()).toEqual({ id: 1, result: { type: 'started' } });
    const sink = sinks[0] as PushSink;
    // 24 events of 8 KiB in one tick: from the second, the socket is corked until the tick ends (192 KiB).
    const text = 'y'.repeat(8 * 1024);
    for (let n = 1; n <= 24; n++) expect(sink.send(`e:${n}`, { n, text }, { n })).toBeLessThanOrEqual(64 * 1024);
    const frames = await socket.take(24);
    expect(frames.map((frame) => frame.result.data.data.n)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(server.sockets[0]?.readyState).toBe(server.sockets[0]?.OPEN);
  });
});

describe('pulled streams under a slow client', () => {
  it('stops pulling a generator while the socket is backed up, instead of buffering it', async () => {
    pulled.count = 0;
    await using server = await serve({ limits: { maxBufferedBytes: 1024 * 1024 } });
    await using socket = await RawSocket.open(server.url);
    stopReading(socket);
    socket.send(subscribe(1, 'firehose'));
    // It pulls until the backlog passes a quarter of the limit, then waits for the socket to drain.
    await vi.waitFor(() => expect(pulled.count).toBeGreaterThan(10));
    const settled = pulled.count;
    // The server keeps serving others meanwhile (20 round trips on another socket), and pulls nothing more.
    await using other = await RawSocket.open(server.url);
    for (let i = 1; i <= 20; i++) {
      other.send(query(i, 'ping'));
      expect((await other.next()).result.data).toBe('pong');
    }
    expect(pulled.count).toBeLessThan(settled + 5);
    // The socket's unsent bytes stay near the limit, not the generator's full output.
    expect(server.sockets[0]?.bufferedAmount).toBeLessThan(1024 * 1024);
    expect(server.sockets[0]?.readyState).toBe(server.sockets[0]?.OPEN);
  });
});

describe('the PushStream extension point', () => {
  it('writes each pushed event as a tracked frame, one shared tail for every subscriber', async () => {
    sinks.length = 0;
    await using server = await serve();
    await using first = await RawSocket.open(server.url);
    await using second = await RawSocket.open(server.url);
    first.send(subscribe(7, 'pushed'));
    second.send({ ...subscribe(8, 'pushed'), jsonrpc: '2.0' });
    expect(await first.next()).toEqual({ id: 7, result: { type: 'started' } });
    expect(await second.next()).toEqual({ id: 8, jsonrpc: '2.0', result: { type: 'started' } });
    const event = { kind: 'shared bus event' };
    for (const sink of sinks) expect(sink.send('e:1', { hello: 'world' }, event)).toBeGreaterThanOrEqual(0);
    const data = { type: 'data', id: 'e:1', data: { id: 'e:1', data: { hello: 'world' } } };
    expect(await first.next()).toEqual({ id: 7, result: data });
    expect(await second.next()).toEqual({ id: 8, jsonrpc: '2.0', result: data });
    sinks[0]?.end({ kind: 'done' });
    expect(await first.next()).toEqual({ id: 7, result: { type: 'stopped' } });
    sinks[1]?.end({ kind: 'slow' });
    expect((await second.closed).code).toBe(CLOSE_TOO_SLOW);
  });

  it('takes a stream that extends PushSubscription as its own subscription and sink, and stops it on request', async () => {
    own.length = 0;
    await using server = await serve();
    await using socket = await RawSocket.open(server.url);
    socket.send(subscribe(9, 'own'));
    expect(await socket.next()).toEqual({ id: 9, result: { type: 'started' } });
    const [stream] = own;
    expect(stream?.sink).toBe(stream);
    stream?.send('e:1', 'hi', { kind: 'bus event' });
    expect(await socket.next()).toEqual({
      id: 9,
      result: { type: 'data', id: 'e:1', data: { id: 'e:1', data: 'hi' } },
    });
    socket.send({ id: 9, method: 'subscription.stop' });
    expect(await socket.next()).toEqual({ id: 9, result: { type: 'stopped' } });
    expect(stream?.stopped).toBe(true);
  });

  it('a PushSubscription is a push stream, never an observable to tRPC, and runs on one connection once', async () => {
    const stream = new OwnSubscription();
    // tRPC takes any object with a subscribe() for an observable (its HTTP adapter would then fail the call).
    expect(isObservable(stream)).toBe(false);
    expect(isPushStream(stream)).toBe(true);
    expect(() => stream.send('e:1', 1, null)).toThrow('a push stream sends once the adapter has subscribed it');
    own.length = 0;
    await using server = await serve();
    await using socket = await RawSocket.open(server.url);
    socket.send(subscribe(10, 'same'));
    expect(await socket.next()).toEqual({ id: 10, result: { type: 'started' } });
    socket.send(subscribe(11, 'same'));
    const refused = await socket.next();
    expect(refused.id).toBe(11);
    expect(refused.error.message).toBe('a push stream is subscribed once');
  });
});
