import { randomUUID } from 'node:crypto';
import type { BusEvent } from '@hubbub/core';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisBus, type RedisBus, type RedisBusOptions } from './redis-bus';
import { busContract, changeEvent, typingSignal } from './test/bus-contract';
import { redisUnreachable } from './test/redis-probe';

const url = process.env.HUBBUB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** One namespace per run, so concurrent runs on one Redis never see each other. */
const prefix = `hubbub-test-${randomUUID()}`;

const unreachable = await redisUnreachable(url);

/** Waits for delivery over the network; asserts nothing about how long it takes. */
const eventually = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 4_000, interval: 10 });

describe.skipIf(unreachable !== null)('Redis bus', () => {
  const buses: RedisBus[] = [];
  /** A connected bus, closed after the test. */
  const open = async (options: Partial<RedisBusOptions> = {}) => {
    const bus = createRedisBus({ url, prefix, ...options });
    buses.push(bus);
    await bus.ping();
    return bus;
  };
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
    vi.restoreAllMocks();
  });

  busContract('Bus contract (redis)', async () => {
    const bus = createRedisBus({ url, prefix });
    await bus.ping();
    return bus;
  });

  // A third connection that watches the server, like an operator with redis-cli.
  let admin: Redis;
  beforeAll(() => {
    admin = new Redis(url);
  });
  afterAll(async () => {
    await admin.quit();
  });

  let topicCount = 0;
  const freshTopic = () => `t${++topicCount}-${Date.now()}`;
  const channelOf = (topic: string) => `${prefix}:topic:${topic}`;

  /** Subscriber connections on the channel, across every process. */
  const numsub = async (topic: string) => {
    const reply = (await admin.pubsub('NUMSUB', channelOf(topic))) as unknown[];
    return Number(reply[1]);
  };
  /** The id of the client connection called `name`, or null. */
  const clientId = async (name: string) => {
    const list = (await admin.call('CLIENT', 'LIST')) as string;
    const line = list.split('\n').find((l) => l.split(' ').includes(`name=${name}`));
    return line ? (/\bid=(\d+)/.exec(line)?.[1] ?? null) : null;
  };
  /** Cuts one of this run's connections, as a network failure or Redis restart would. */
  const kill = async (name: string) => {
    const id = await clientId(name);
    expect(id).not.toBeNull();
    await admin.call('CLIENT', 'KILL', 'ID', String(id));
    return id;
  };
  const recorder = () => {
    const events: BusEvent[] = [];
    return { events, onEvent: (event: BusEvent) => void events.push(event) };
  };

  it('is the redis kind', async () => {
    expect((await open()).kind).toBe('redis');
  });

  it("lets two instances (two processes) see each other's publishes, in Redis order", async () => {
    const a = await open();
    const b = await open();
    const topic = freshTopic();
    const onA = recorder();
    const onB = recorder();
    await a.subscribe(topic, onA.onEvent);
    await b.subscribe(topic, onB.onEvent);
    await a.publish(topic, changeEvent(topic, 1));
    await b.publish(topic, changeEvent(topic, 2));
    await a.publish(topic, changeEvent(topic, 3));
    const sent = [changeEvent(topic, 1), changeEvent(topic, 2), changeEvent(topic, 3)];
    await eventually(() => {
      expect(onA.events).toEqual(sent);
      expect(onB.events).toEqual(sent);
    });
  });

  it("puts two instances' crossing publishes back in offset order for a third, each once, decoded once for all its handlers", async () => {
    const a = await open();
    const b = await open();
    const c = await open({ reorderWindowMs: 60_000 });
    const topic = freshTopic();
    const first = recorder();
    const second = recorder();
    await c.subscribe(topic, first.onEvent);
    await c.subscribe(topic, second.onEvent);
    await a.publish(topic, changeEvent(topic, 1));
    // Offset 3 committed on b overtakes offset 2 committed on a, as publishes after commits can.
    await b.publish(topic, changeEvent(topic, 3));
    await a.publish(topic, typingSignal(topic, 'ann'));
    await eventually(() => expect(first.events).toEqual([changeEvent(topic, 1), typingSignal(topic, 'ann')]));
    await a.publish(topic, changeEvent(topic, 2));
    const inOrder = [changeEvent(topic, 1), typingSignal(topic, 'ann'), changeEvent(topic, 2), changeEvent(topic, 3)];
    await eventually(() => expect(first.events).toEqual(inOrder));
    expect(second.events).toEqual(inOrder);
    // One JSON.parse per message for the whole process: every local handler gets the same object.
    for (const [i, event] of second.events.entries()) expect(event).toBe(first.events[i]);
  });

  it('hands on the events after a lost one once the reorder window runs out (the subscriber sees the gap)', async () => {
    const publisher = await open();
    const bus = await open({ reorderWindowMs: 50 });
    const topic = freshTopic();
    const got = recorder();
    await bus.subscribe(topic, got.onEvent);
    for (const offset of [1, 3, 4]) await publisher.publish(topic, changeEvent(topic, offset));
    await eventually(() =>
      expect(got.events).toEqual([changeEvent(topic, 1), changeEvent(topic, 3), changeEvent(topic, 4)]),
    );
  });

  it('after a reconnect, waits for nothing the bus lost: the next event goes on at once and shows its gap', async () => {
    const publisher = await open();
    // A window far longer than the test waits: an event held by it would never arrive here.
    const bus = await open({ reorderWindowMs: 600_000 });
    const topic = freshTopic();
    const got = recorder();
    await bus.subscribe(topic, got.onEvent);
    let reconnects = 0;
    bus.onReconnect(() => reconnects++);
    await publisher.publish(topic, changeEvent(topic, 1));
    await eventually(() => expect(got.events).toEqual([changeEvent(topic, 1)]));

    await kill(bus.connectionNames.subscriber);
    await eventually(() => expect(reconnects).toBe(1));
    // Offset 2 went out while the subscriber was away (here: never at all); 3 must not wait for it.
    await publisher.publish(topic, changeEvent(topic, 3));
    await eventually(() => expect(got.events).toEqual([changeEvent(topic, 1), changeEvent(topic, 3)]));
  });

  it('keeps prefixes apart', async () => {
    const mine = await open();
    const theirs = await open({ prefix: `${prefix}-other` });
    const topic = freshTopic();
    const onMine = recorder();
    const onTheirs = recorder();
    await mine.subscribe(topic, onMine.onEvent);
    await theirs.subscribe(topic, onTheirs.onEvent);
    await theirs.publish(topic, changeEvent(topic, 1));
    await mine.publish(topic, changeEvent(topic, 2));
    await eventually(() => expect(onMine.events).toEqual([changeEvent(topic, 2)]));
    await eventually(() => expect(onTheirs.events).toEqual([changeEvent(topic, 1)]));
  });

  it('subscribes a topic in Redis once per instance however many local handlers, and unsubscribes with the last', async () => {
    const subscribeCalls = vi.spyOn(Redis.prototype, 'subscribe');
    const a = await open();
    const b = await open();
    const topic = freshTopic();
    const channel = channelOf(topic);
    const handlersA = Array.from({ length: 50 }, recorder);
    const handlersB = Array.from({ length: 50 }, recorder);
    // All at once: the handlers that arrive while the first SUBSCRIBE is in flight must not send another.
    const offA = await Promise.all(handlersA.map((h) => a.subscribe(topic, h.onEvent)));
    const offB = await Promise.all(handlersB.map((h) => b.subscribe(topic, h.onEvent)));

    const calls = subscribeCalls.mock.calls.filter((args) => (args as unknown[]).includes(channel));
    expect(calls).toHaveLength(2); // One per instance.
    expect(await numsub(topic)).toBe(2);

    await a.publish(topic, changeEvent(topic, 1));
    await eventually(() => {
      for (const h of [...handlersA, ...handlersB]) expect(h.events).toEqual([changeEvent(topic, 1)]);
    });

    for (const off of offA.slice(1)) await off();
    expect(await numsub(topic)).toBe(2);
    await offA[0]?.();
    expect(await numsub(topic)).toBe(1);
    await Promise.all(offB.map((off) => off()));
    expect(await numsub(topic)).toBe(0);
  });

  it('reconnects after its subscriber connection is killed, resubscribes, tells onReconnect, and delivers again', async () => {
    const bus = await open();
    const other = await open();
    const topic = freshTopic();
    const quiet = freshTopic();
    const got = recorder();
    await bus.subscribe(topic, got.onEvent);
    await bus.subscribe(quiet, () => {});
    const notices: { topic: number; quiet: number }[] = [];
    bus.onReconnect(() => {
      // By the time of the notice the topics are subscribed again (subscribe before backfill).
      Promise.all([numsub(topic), numsub(quiet)]).then(([t, q]) => notices.push({ topic: t, quiet: q }));
    });
    await other.publish(topic, changeEvent(topic, 1));
    await eventually(() => expect(got.events).toHaveLength(1));
    expect(notices).toEqual([]); // The first connection is not a reconnect.

    const before = await kill(bus.connectionNames.subscriber);
    await eventually(() => expect(notices).toEqual([{ topic: 1, quiet: 1 }]));
    expect(await clientId(bus.connectionNames.subscriber)).not.toBe(before);

    await other.publish(topic, changeEvent(topic, 2));
    await eventually(() => expect(got.events).toEqual([changeEvent(topic, 1), changeEvent(topic, 2)]));
  });

  it('rejects a publish while its publisher connection is down, and publishes again once it is back', async () => {
    // ioredis asks for the reconnect delay right after it has seen the connection close.
    let noticeDrop = () => {};
    const dropped = new Promise<void>((resolve) => {
      noticeDrop = resolve;
    });
    const bus = await open({
      reconnectDelayMs: () => {
        noticeDrop();
        return 300;
      },
    });
    const listener = await open();
    const topic = freshTopic();
    const got = recorder();
    await listener.subscribe(topic, got.onEvent);

    await kill(bus.connectionNames.publisher);
    await dropped; // Not before: a publish written into the dying socket is resent after the reconnect.
    await expect(bus.publish(topic, changeEvent(topic, 1))).rejects.toThrow(
      `Redis bus: cannot publish to "${topic}": Redis is not connected (reconnecting)`,
    );
    await expect(bus.ping()).rejects.toThrow(/not connected/);

    await eventually(() => bus.publish(topic, changeEvent(topic, 2)));
    // The failed publish is not replayed; once the publisher is back, subscribers are told to
    // re-read the store (a resync notice), then live events flow again.
    await eventually(() => expect(got.events.filter((e) => e.kind !== 'resync')).toEqual([changeEvent(topic, 2)]));
    expect(got.events[0]).toEqual({ kind: 'resync' });
    await bus.ping();
  });

  it('keeps delivering to the other handlers when one throws, and reports it', async () => {
    const errors: string[] = [];
    const bus = await open({ onError: (_error, source) => errors.push(source) });
    const topic = freshTopic();
    const got = recorder();
    await bus.subscribe(topic, () => {
      throw new Error('bad handler');
    });
    await bus.subscribe(topic, got.onEvent);
    await bus.publish(topic, changeEvent(topic, 1));
    await eventually(() => expect(got.events).toEqual([changeEvent(topic, 1)]));
    expect(errors).toEqual(['handler']);
  });

  it('closes both connections, after which publish and subscribe reject', async () => {
    const bus = createRedisBus({ url, prefix });
    await bus.ping();
    const topic = freshTopic();
    await bus.subscribe(topic, () => {});
    expect(await clientId(bus.connectionNames.publisher)).not.toBeNull();
    expect(await clientId(bus.connectionNames.subscriber)).not.toBeNull();

    await bus.close();
    await eventually(async () => {
      expect(await clientId(bus.connectionNames.publisher)).toBeNull();
      expect(await clientId(bus.connectionNames.subscriber)).toBeNull();
    });
    expect(await numsub(topic)).toBe(0);
    await expect(bus.publish(topic, changeEvent(topic, 1))).rejects.toThrow(/closed/);
    await expect(bus.subscribe(topic, () => {})).rejects.toThrow(/closed/);
  });
});
