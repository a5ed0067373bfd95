import { AppError, CLOSE_CODES } from '@hubbub/core';
import { describe, expect, it, vi } from 'vitest';
import { MAX_PENDING, ResumableStream, type StreamConnection } from './resumable-stream';
import {
  ArrayStore,
  ELSEWHERE,
  liveEvent,
  type Note,
  pingEvent,
  recordingSink,
  streamWorld,
} from './test/stream-harness';

/**
 * The pull view (what Server-Sent Events and createCaller consume), against an
 * in-memory source and hub: bounded in events and bytes, paced on replay, and
 * ended by its connection when that says so.
 */

const EPOCH = 'e';

/** The pull view's world: a store, the hub, and a connection that records being closed. */
function harness(
  opts: { stored?: number; maxBufferedBytes?: number; connection?: Partial<StreamConnection<null>> } = {},
) {
  const store = new ArrayStore(EPOCH, opts.stored ?? 0);
  const connection = {
    close: vi.fn<(code: number, reason: string) => void>(),
    bufferedAmount: () => 0,
    ...opts.connection,
  } satisfies StreamConnection<null>;
  const world = streamWorld({ maxBufferedBytes: opts.maxBufferedBytes, connection });
  /** Publishes a stored change live (as the hub would, once stored). */
  const publish = (text: string) => world.publish(liveEvent(store.append(text)));
  /**
   * On the hub and past reading where the store is: what is published from now on is new to the stream
   * (before that read, the store's head already holds it and the stream starts after it).
   */
  const attached = () => world.attached() > 0 && store.infoReads > 0;
  return { deps: world.deps, source: store, connection, publish, attached };
}

const idOf = (envelope: unknown) => (envelope as [string, Note])[0];
const dataOf = (envelope: unknown) => (envelope as [string, Note])[1];

describe('ResumableStream, pulled', () => {
  it('streams a replay ten times longer than its queue to a consumer that takes its time, in order, never cut', async () => {
    const { deps, source, connection } = harness({ stored: 40_960 });
    const stream = new ResumableStream(deps, source, `${EPOCH}:0`);
    let n = 0;
    for await (const envelope of stream) {
      n++;
      expect(dataOf(envelope).n).toBe(n);
      // A consumer slower than the store: it yields to the event loop now and then, as a socket write would.
      if (n % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
      if (n === 40_960) break;
    }
    expect(n).toBe(40_960);
    expect(connection.close).not.toHaveBeenCalled();
  }, 60_000);

  it('cuts a replay whose consumer takes nothing for 30 s (it resumes later), not sooner', async () => {
    vi.useFakeTimers();
    try {
      const { deps, source, connection } = harness({ stored: 5_000 });
      const iterator = new ResumableStream(deps, source, `${EPOCH}:0`)[Symbol.asyncIterator]();
      expect(dataOf((await iterator.next()).value).n).toBe(1);
      await vi.advanceTimersByTimeAsync(29_000);
      expect(connection.close).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(2_000);
      let rest = 0;
      while (!(await iterator.next()).done) rest++;
      expect(rest).toBe(0);
      expect(connection.close).toHaveBeenCalledWith(CLOSE_CODES.slowConsumer, 'too slow: reconnect and resume');
    } finally {
      vi.useRealTimers();
    }
  });

  it('cuts a subscriber whose live backlog passes maxBufferedBytes: the connection closes 4008, the iterator ends', async () => {
    const { deps, source, connection, publish, attached } = harness({ maxBufferedBytes: 64 * 1024 });
    const iterator = new ResumableStream(deps, source, null)[Symbol.asyncIterator]();
    const first = iterator.next();
    await vi.waitFor(() => expect(attached()).toBe(true));
    publish('hello');
    expect(dataOf((await first).value).text).toBe('hello');
    // Nobody reads: about 100 KiB of events pile up in the queue.
    for (let i = 0; i < 100; i++) publish('y'.repeat(1024));
    expect(attached()).toBe(false);
    const rest: unknown[] = [];
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      rest.push(next.value);
    }
    // What was queued before the cut is dropped: the client resumes from its last id instead.
    expect(rest).toEqual([]);
    expect(connection.close).toHaveBeenCalledWith(CLOSE_CODES.slowConsumer, 'too slow: reconnect and resume');
  });

  it('ends with the error its connection gives (credentials ended), dropping what was queued', async () => {
    let end: ((error: Error) => void) | null = null;
    const released = vi.fn();
    const { deps, source, publish, attached } = harness({
      connection: {
        openStream: (_owner, ending) => {
          end = ending;
          return released;
        },
      },
    });
    const iterator = new ResumableStream(deps, source, null)[Symbol.asyncIterator]();
    const first = iterator.next();
    await vi.waitFor(() => expect(attached()).toBe(true));
    publish('one');
    await first;
    publish('queued, never sent');
    (end as ((error: Error) => void) | null)?.(new AppError('UNAUTHORIZED', 'you logged out'));
    await expect(iterator.next()).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'you logged out' });
    expect(attached()).toBe(false);
    expect(released).toHaveBeenCalledOnce();
  });

  it('throws its connection’s refusal before it starts (too many streams)', async () => {
    const { deps, source, attached } = harness({
      connection: {
        openStream: () => {
          throw new AppError('TOO_MANY_REQUESTS', 'at most 100 live streams');
        },
      },
    });
    const iterator = new ResumableStream(deps, source, null)[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(attached()).toBe(false);
  });

  it('resumes after the last id it is given: exactly the events after it', async () => {
    const { deps, source } = harness({ stored: 5 });
    const ids: string[] = [];
    for await (const envelope of new ResumableStream(deps, source, `${EPOCH}:2`)) {
      ids.push(idOf(envelope));
      if (ids.length === 3) break;
    }
    expect(ids).toEqual(['e:3', 'e:4', 'e:5']);
  });
});

/**
 * The push path (what the WebSocket adapter drives): the stream calls its sink
 * synchronously per event. An array-backed store, the real hub on the memory
 * bus, a sink that records.
 */
describe('ResumableStream, pushed', () => {
  const setup = (store: ArrayStore, options: { maxBufferedBytes?: number; backlog?: () => number } = {}) => {
    const world = streamWorld({ maxBufferedBytes: options.maxBufferedBytes });
    const out = recordingSink(options.backlog);
    return { ...world, ...out, store };
  };
  /** A stream started on `setup`'s world; resolves once it is live (or has ended). */
  const started = async (store: ArrayStore, lastEventId: string | null, options?: Parameters<typeof setup>[1]) => {
    const world = setup(store, options);
    const stream = new ResumableStream(world.deps, store, lastEventId);
    await stream.start(world.sink);
    return { ...world, stream };
  };
  /** A stream replaying from the start whose first store read is held: it is filling until `release()`. */
  const filling = async (store: ArrayStore) => {
    const world = setup(store);
    const release = store.hold();
    const stream = new ResumableStream(world.deps, store, 'e:0');
    const starting = stream.start(world.sink);
    await vi.waitFor(() => expect(store.reads).toBe(1));
    return { ...world, stream, starting, release };
  };
  /** Stores a change and publishes it live; returns its bus event. */
  const publishNew = (world: { publish: (e: ReturnType<typeof liveEvent>) => void }, store: ArrayStore) => {
    const event = liveEvent(store.append('live'));
    world.publish(event);
    return event;
  };

  describe('resuming', () => {
    it('replays exactly the events after lastEventId, then delivers live ones with their own ids', async () => {
      const store = new ArrayStore(EPOCH, 5);
      const s = await started(store, 'e:2');
      expect(s.ids()).toEqual(['e:3', 'e:4', 'e:5']);
      expect(s.sent.map((x) => (x.data as Note).n)).toEqual([3, 4, 5]);
      // Each event names the object it came from, to be serialized once for every subscriber it reaches:
      // a replayed one its stored event, a live one the bus event.
      expect(s.sent.map((x) => (x.shared as { offset: number }).offset)).toEqual([3, 4, 5]);
      const live = publishNew(s, store);
      expect(s.ids()).toEqual(['e:3', 'e:4', 'e:5', 'e:6']);
      expect(s.sent[3]?.shared).toBe(live);
      expect(store.reads).toBe(1);
    });

    it('without a lastEventId starts at the head: nothing replayed, nothing read', async () => {
      const store = new ArrayStore(EPOCH, 3);
      const s = await started(store, null);
      expect(s.sent).toEqual([]);
      publishNew(s, store);
      expect(s.ids()).toEqual(['e:4']);
      expect(store.reads).toBe(0);
    });

    it('resumes from the head itself with nothing to replay', async () => {
      const store = new ArrayStore(EPOCH, 3);
      const s = await started(store, 'e:3');
      expect(s.sent).toEqual([]);
      publishNew(s, store);
      expect(s.ids()).toEqual(['e:4']);
    });

    it('resets on another epoch (the store was recreated): one reset at the head, then live', async () => {
      const store = new ArrayStore('e2', 3);
      const s = await started(store, 'e1:2');
      expect(s.sent).toEqual([{ id: 'e2:3', data: { type: 'reset' }, shared: null }]);
      publishNew(s, store);
      expect(s.ids()).toEqual(['e2:3', 'e2:4']);
      expect(store.reads).toBe(0);
    });

    it.each([
      ['before the oldest retained event', 'e:4'],
      ['past the head', 'e:11'],
      ['malformed', 'not-an-id'],
    ])('resets on a lastEventId %s', async (_why, lastEventId) => {
      const store = new ArrayStore(EPOCH, 10);
      store.oldestRetained = 6;
      const s = await started(store, lastEventId);
      expect(s.sent).toEqual([{ id: 'e:10', data: { type: 'reset' }, shared: null }]);
    });

    it('replays a lastEventId just before the oldest retained event (nothing after it is gone)', async () => {
      const store = new ArrayStore(EPOCH, 10);
      store.oldestRetained = 6;
      const s = await started(store, 'e:5');
      expect(s.ids()).toEqual(['e:6', 'e:7', 'e:8', 'e:9', 'e:10']);
    });

    it('replays in pages (500 at a time) until a short page', async () => {
      const store = new ArrayStore(EPOCH, 1_200);
      const s = await started(store, 'e:0');
      expect(s.sent).toHaveLength(1_200);
      expect(s.ids().at(-1)).toBe('e:1200');
      expect(store.reads).toBe(3);
    });
  });

  describe('live', () => {
    it('fills a gap in live events from the store, in order, and drops what it has already sent', async () => {
      const store = new ArrayStore(EPOCH, 3);
      const s = await started(store, null);
      store.append('lost on the bus');
      const arrived = publishNew(s, store);
      await vi.waitFor(() => expect(s.ids()).toEqual(['e:4', 'e:5']));
      expect(store.reads).toBe(1);
      // A duplicate (the bus delivered it again) is dropped; the next one goes straight through.
      s.publish(arrived);
      publishNew(s, store);
      expect(s.ids()).toEqual(['e:4', 'e:5', 'e:6']);
      expect(store.reads).toBe(1);
    });

    it('re-reads the store on a bus resync while live', async () => {
      const store = new ArrayStore(EPOCH, 2);
      const s = await started(store, null);
      store.append('published while the bus was away');
      s.hub.resync();
      await vi.waitFor(() => expect(s.ids()).toEqual(['e:3']));
      publishNew(s, store);
      expect(s.ids()).toEqual(['e:3', 'e:4']);
    });

    it('reads the store once more when the bus resyncs while it is filling', async () => {
      const store = new ArrayStore(EPOCH, 2);
      const { starting, release, ...s } = await filling(store);
      // Stored after the first read was made, and its bus event lost: only a second read finds it.
      store.append('lost on the bus');
      s.hub.resync();
      release();
      await starting;
      expect(s.ids()).toEqual(['e:1', 'e:2', 'e:3']);
      expect(store.reads).toBe(2);
    });

    it('holds live events that arrive while filling (up to MAX_PENDING) and delivers them after the replay', async () => {
      const store = new ArrayStore(EPOCH, 1);
      const { starting, release, ...s } = await filling(store);
      for (let i = 0; i < MAX_PENDING; i++) publishNew(s, store);
      release();
      await starting;
      expect(s.ends).toEqual([]);
      expect(s.sent).toHaveLength(1 + MAX_PENDING);
      expect(s.ids().at(-1)).toBe(`e:${1 + MAX_PENDING}`);
      // They follow the replay without a gap: delivered from what was held, not read again.
      expect(s.sent.map((x) => (x.data as Note).n)).toEqual(Array.from({ length: 1 + MAX_PENDING }, (_, i) => i + 1));
      expect(store.reads).toBe(1);
    });

    it('cuts a subscriber as slow when more than MAX_PENDING live events arrive while it is filling', async () => {
      const store = new ArrayStore(EPOCH, 1);
      const { starting, release, ...s } = await filling(store);
      for (let i = 0; i <= MAX_PENDING; i++) publishNew(s, store);
      expect(s.ends).toEqual([{ kind: 'slow' }]);
      expect(s.attached()).toBe(0);
      release();
      await starting;
      // The replay read that was under way delivers nothing once the stream has ended.
      expect(s.sent).toEqual([]);
      expect(s.ends).toHaveLength(1);
    });

    it('cuts a live subscriber whose backlog passes maxBufferedBytes, after handing it that event', async () => {
      let backlog = 0;
      const store = new ArrayStore(EPOCH, 0);
      const s = await started(store, null, { maxBufferedBytes: 1_000, backlog: () => backlog });
      backlog = 1_000;
      publishNew(s, store);
      expect(s.ends).toEqual([]);
      backlog = 1_001;
      publishNew(s, store);
      expect(s.ids()).toEqual(['e:1', 'e:2']);
      expect(s.ends).toEqual([{ kind: 'slow' }]);
      expect(s.attached()).toBe(0);
      publishNew(s, store);
      expect(s.sent).toHaveLength(2);
    });

    it('hands every local subscriber of a live event the same bus event and id string', async () => {
      const store = new ArrayStore(EPOCH, 0);
      const world = setup(store);
      const other = recordingSink();
      await new ResumableStream(world.deps, store, null).start(world.sink);
      await new ResumableStream(world.deps, store, null).start(other.sink);
      const event = publishNew(world, store);
      expect(world.sent[0]?.shared).toBe(event);
      expect(other.sent[0]?.shared).toBe(event);
      expect(other.sent[0]?.id).toBe('e:1');
      expect(world.sent[0]?.id).toBe(other.sent[0]?.id);
    });
  });

  describe('signals', () => {
    it('carry the id of the last stored event sent (they never move a resume position)', async () => {
      const store = new ArrayStore(EPOCH, 3);
      store.greetings = [{ type: 'ping', n: 0 }];
      const s = await started(store, 'e:1');
      // Replay, then the greeting at the position reached.
      expect(s.sent.map(({ id, data }) => [id, data])).toEqual([
        ['e:2', { type: 'note', n: 2, text: 'stored 2' }],
        ['e:3', { type: 'note', n: 3, text: 'stored 3' }],
        ['e:3', { type: 'ping', n: 0 }],
      ]);
      s.publish(pingEvent(1));
      publishNew(s, store);
      s.publish(pingEvent(2));
      expect(s.ids().slice(3)).toEqual(['e:3', 'e:4', 'e:4']);
      expect(s.sent[3]?.data).toEqual({ type: 'ping', n: 1 });
    });

    it('count an event outside this view (skip) as seen: the next signal carries its offset, and no gap follows', async () => {
      const store = new ArrayStore(EPOCH, 2);
      const s = await started(store, null);
      const elsewhere = store.reserve();
      s.publish({
        kind: 'change',
        event: { channelId: ELSEWHERE, offset: elsewhere, change: { type: 'member.left', userId: 'x' } },
      });
      s.publish(pingEvent(1));
      publishNew(s, store);
      expect(s.ids()).toEqual(['e:3', 'e:4']);
      expect(store.reads).toBe(0);
    });
  });

  describe('ending', () => {
    it('delivers a live change that ends the subscription (endsWith), then is done', async () => {
      const store = new ArrayStore(EPOCH, 1);
      const s = await started(store, null);
      s.publish(liveEvent(store.appendBye()));
      expect(s.sent).toEqual([{ id: 'e:2', data: { type: 'bye' }, shared: expect.anything() }]);
      expect(s.ends).toEqual([{ kind: 'done' }]);
      expect(s.attached()).toBe(0);
      publishNew(s, store);
      expect(s.sent).toHaveLength(1);
    });

    it('stops a replay at a change that ends the subscription', async () => {
      const store = new ArrayStore(EPOCH, 2);
      store.appendBye();
      store.append('after the end');
      const s = await started(store, 'e:0');
      expect(s.ids()).toEqual(['e:1', 'e:2', 'e:3']);
      expect(s.ends).toEqual([{ kind: 'done' }]);
      expect(s.attached()).toBe(0);
    });

    it('stop(): nothing more is sent, the hub lets go, and the sink is not told (the subscriber left)', async () => {
      const store = new ArrayStore(EPOCH, 0);
      const s = await started(store, null);
      publishNew(s, store);
      s.stream.stop();
      s.stream.stop();
      expect(s.attached()).toBe(0);
      publishNew(s, store);
      expect(s.ids()).toEqual(['e:1']);
      expect(s.ends).toEqual([]);
    });

    it('stop() while filling: the read under way delivers nothing', async () => {
      const store = new ArrayStore(EPOCH, 3);
      const { stream, starting, release, ...s } = await filling(store);
      stream.stop();
      release();
      await starting;
      expect(s.sent).toEqual([]);
      expect(s.ends).toEqual([]);
      expect(s.attached()).toBe(0);
    });

    it('stop() before the hub has attached it: it detaches as soon as it is attached', async () => {
      const store = new ArrayStore(EPOCH, 3);
      const s = setup(store);
      const stream = new ResumableStream(s.deps, store, 'e:0');
      const starting = stream.start(s.sink);
      stream.stop();
      await starting;
      expect(s.attached()).toBe(0);
      expect(s.sent).toEqual([]);
      expect(store.reads).toBe(0);
    });

    it('starts once', async () => {
      const store = new ArrayStore(EPOCH, 0);
      const s = await started(store, null);
      await expect(s.stream.start(recordingSink().sink)).rejects.toThrow('a stream starts once');
    });

    it('ends with the error when the store fails, and lets go of the hub', async () => {
      const store = new ArrayStore(EPOCH, 0);
      store.failure = new Error('the database is down');
      const s = await started(store, 'e:0');
      expect(s.ends).toEqual([{ kind: 'error', error: store.failure }]);
      expect(s.attached()).toBe(0);
    });
  });
});
