import type { BusEvent } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChannelHub, PRESENCE_WINDOW_MS, presenceWindow } from './channel-hub';
import { createMemoryBus } from './memory-bus';
import { createLocalPresence } from './presence';
import { SubscriberQueue } from './subscriber-queue';
import { changeEvent } from './test/bus-contract';
import { type CountingBus, countingBus } from './test/counting-bus';

/** Lets pending promise callbacks (the hub's deferred bus unsubscribe) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A local subscriber that queues what the hub hands it (as the pull view of a stream does), and leaves with close(). */
async function queued(hub: ChannelHub, topic: string, userId: string | null, capacity = 1024) {
  const queue = new SubscriberQueue<BusEvent>(capacity);
  const detach = await hub.attach(topic, userId, (event) => queue.push(event));
  return {
    queue,
    close: () => {
      queue.end();
      detach();
    },
  };
}

/** Takes what is queued right now, without waiting for more. */
async function takeQueued(queue: SubscriberQueue<BusEvent>): Promise<BusEvent[]> {
  const out: BusEvent[] = [];
  while (queue.size > 0) {
    const item = await queue.next();
    if (item) out.push(item);
  }
  return out;
}
const changesOnly = (events: BusEvent[]) => events.filter((e) => e.kind === 'change');
const presenceOf = (bus: CountingBus, channelId: string) =>
  bus.published.flatMap(({ channelId: c, event }) =>
    c === channelId && event.kind === 'signal' && event.signal.type === 'presence' ? [event.signal.online] : [],
  );

describe('ChannelHub', () => {
  let bus: CountingBus;
  let hub: ChannelHub;
  beforeEach(() => {
    bus = countingBus(createMemoryBus());
    hub = new ChannelHub(bus);
    // As the server wires it for one process: local presence, published on the bus.
    hub.setPresenceListener(createLocalPresence(bus, (c) => hub.online(c)).changed);
  });

  it("hands a topic to a group in its members' place: presence and the bus subscription stay as they are", async () => {
    const heard: string[] = [];
    // Changes only: the member's own presence signal comes and goes on its own clock.
    const member = { onBusEvent: (e: BusEvent) => e.kind === 'change' && heard.push(`member ${e.kind}`) };
    await hub.attach('c1', 'ada', member);
    // A group that, on its first event, gives its member back to the hub: the member hears that event from the hub.
    const group = {
      onBusEvent: (e: BusEvent) => {
        if (e.kind !== 'change') return;
        heard.push(`group ${e.kind}`);
        hub.removeListener('c1', group);
        hub.addListener('c1', member);
      },
    };
    expect(hub.addListener('c1', group)).toBe(true);
    hub.removeListener('c1', member);
    expect(hub.stats).toEqual({ channels: 1, subscriptions: 1, listeners: 1 });
    expect(hub.online('c1')).toEqual(['ada']);
    await bus.publish('c1', changeEvent('c1', 1));
    expect(heard).toEqual(['group change', 'member change']);
    expect(hub.stats).toEqual({ channels: 1, subscriptions: 1, listeners: 1 });
    expect(bus.subscribes.get('c1')).toBe(1);
    expect(hub.addListener('no-subscriber', group)).toBe(false);
    expect(hub.stats.channels).toBe(1);
  });

  it('makes one bus subscription per channel, however many local subscribers', async () => {
    const subs = await Promise.all([
      queued(hub, 'c1', 'ada'),
      queued(hub, 'c1', 'bob'),
      queued(hub, 'c1', 'ada'),
      queued(hub, 'c2', 'ada'),
    ]);
    await queued(hub, 'c1', 'cy');
    expect(bus.subscribes.get('c1')).toBe(1);
    expect(bus.subscribes.get('c2')).toBe(1);
    expect(hub.stats).toEqual({ channels: 2, subscriptions: 5, listeners: 5 });
    expect(subs).toHaveLength(4);
  });

  it('fans each bus event out to every local subscriber of the channel, in order', async () => {
    const a = await queued(hub, 'c1', 'ada');
    const b = await queued(hub, 'c1', 'bob');
    const c = await queued(hub, 'c1', 'cy');
    const other = await queued(hub, 'c2', 'ada');
    const sent = [changeEvent('c1', 1), changeEvent('c1', 2), changeEvent('c1', 3)];
    for (const event of sent) await bus.publish('c1', event);
    for (const sub of [a, b, c]) expect(changesOnly(await takeQueued(sub.queue))).toEqual(sent);
    expect(changesOnly(await takeQueued(other.queue))).toEqual([]);
  });

  it('delivers to a subscriber that is already waiting', async () => {
    const sub = await queued(hub, 'c1', 'ada');
    await takeQueued(sub.queue); // its own presence notice
    const waiting = sub.queue.next();
    await bus.publish('c1', changeEvent('c1', 7));
    expect(await waiting).toEqual(changeEvent('c1', 7));
  });

  it('counts a user online once across several subscriptions, until their last one closes', async () => {
    const ada1 = await queued(hub, 'c1', 'ada');
    const ada2 = await queued(hub, 'c1', 'ada');
    const bob = await queued(hub, 'c1', 'bob');
    expect(hub.online('c1').sort()).toEqual(['ada', 'bob']);
    expect(hub.online('c2')).toEqual([]);

    ada1.close();
    expect(hub.online('c1').sort()).toEqual(['ada', 'bob']);
    ada2.close();
    expect(hub.online('c1')).toEqual(['bob']);
    bob.close();
    expect(hub.online('c1')).toEqual([]);
  });

  it('treats a second close of the same subscription as a no-op', async () => {
    const ada1 = await queued(hub, 'c1', 'ada');
    await queued(hub, 'c1', 'ada');
    ada1.close();
    ada1.close();
    expect(hub.online('c1')).toEqual(['ada']);
    expect(hub.stats).toEqual({ channels: 1, subscriptions: 1, listeners: 1 });
  });

  describe('presence', () => {
    // Presence windows are timers: these tests move the clock themselves.
    beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
    afterEach(() => vi.useRealTimers());
    const windowEnds = () => vi.advanceTimersByTime(PRESENCE_WINDOW_MS);

    it('is published when a user first joins and when their last subscription leaves', async () => {
      const ada1 = await queued(hub, 'c1', 'ada');
      expect(presenceOf(bus, 'c1')).toEqual([['ada']]);
      windowEnds();
      const ada2 = await queued(hub, 'c1', 'ada'); // a second tab: no news
      windowEnds();
      expect(presenceOf(bus, 'c1')).toEqual([['ada']]);
      const bob = await queued(hub, 'c1', 'bob');
      expect(presenceOf(bus, 'c1')).toEqual([['ada'], ['ada', 'bob']]);
      windowEnds();
      ada1.close(); // ada is still here through her other tab
      windowEnds();
      expect(presenceOf(bus, 'c1')).toHaveLength(2);
      ada2.close();
      expect(presenceOf(bus, 'c1')).toEqual([['ada'], ['ada', 'bob'], ['bob']]);
      windowEnds();
      bob.close();
      expect(presenceOf(bus, 'c1')).toEqual([['ada'], ['ada', 'bob'], ['bob'], []]);
    });

    it('is published at once, then at most once a window with the users as they are at its end', async () => {
      const people = [];
      for (let i = 0; i < 200; i++) people.push(await queued(hub, 'c1', `p${i}`));
      expect(presenceOf(bus, 'c1')).toEqual([['p0']]);
      vi.advanceTimersByTime(PRESENCE_WINDOW_MS - 1);
      expect(presenceOf(bus, 'c1')).toHaveLength(1);
      vi.advanceTimersByTime(1);
      const everyone = people.map((_, i) => `p${i}`);
      expect(presenceOf(bus, 'c1')).toEqual([['p0'], everyone]);
      // That list of 200 opened a window of its own, longer with that many online (1 s): leaving within it is
      // told when it ends, once.
      people[0]?.close();
      people[1]?.close();
      vi.advanceTimersByTime(999);
      expect(presenceOf(bus, 'c1')).toHaveLength(2);
      vi.advanceTimersByTime(1);
      expect(presenceOf(bus, 'c1')).toEqual([['p0'], everyone, everyone.slice(2)]);
      vi.advanceTimersByTime(2000);
      expect(presenceOf(bus, 'c1')).toHaveLength(3);
    });

    it('has windows of 250 ms up to 50 people online, 5 ms per person beyond', () => {
      expect([0, 1, 50, 51, 200, 2500].map((online) => presenceWindow(online))).toEqual([
        250, 250, 250, 255, 1000, 12_500,
      ]);
    });

    it('keeps each topic to its own window', async () => {
      await queued(hub, 'c1', 'ada');
      await queued(hub, 'c2', 'ada');
      await queued(hub, 'c1', 'bob');
      expect(presenceOf(bus, 'c1')).toEqual([['ada']]);
      expect(presenceOf(bus, 'c2')).toEqual([['ada']]);
      windowEnds();
      expect(presenceOf(bus, 'c1')).toEqual([['ada'], ['ada', 'bob']]);
      expect(presenceOf(bus, 'c2')).toEqual([['ada']]);
    });

    it('drops changes not yet published when the hub closes', async () => {
      await queued(hub, 'c1', 'ada');
      await queued(hub, 'c1', 'bob');
      hub.close();
      windowEnds();
      expect(presenceOf(bus, 'c1')).toEqual([['ada']]);
    });

    it('reaches the channel’s subscribers through the bus', async () => {
      const ada = await queued(hub, 'c1', 'ada');
      await queued(hub, 'c1', 'bob');
      windowEnds();
      await settle();
      expect(await takeQueued(ada.queue)).toEqual([
        { kind: 'signal', channelId: 'c1', signal: { type: 'presence', online: ['ada'] } },
        { kind: 'signal', channelId: 'c1', signal: { type: 'presence', online: ['ada', 'bob'] } },
      ]);
    });
  });

  it('unsubscribes from the bus when the last local subscriber leaves', async () => {
    const a = await queued(hub, 'c1', 'ada');
    const b = await queued(hub, 'c1', 'bob');
    a.close();
    await settle();
    expect(bus.active('c1')).toBe(1);
    b.close();
    await settle();
    expect(bus.unsubscribes.get('c1')).toBe(1);
    expect(bus.active('c1')).toBe(0);
    expect(hub.stats).toEqual({ channels: 0, subscriptions: 0, listeners: 0 });
    expect(a.queue.ended).toBe('closed');
    expect(b.queue.ended).toBe('closed');

    // Coming back makes a new bus subscription, which delivers.
    const again = await queued(hub, 'c1', 'cy');
    expect(bus.subscribes.get('c1')).toBe(2);
    await bus.publish('c1', changeEvent('c1', 9));
    expect(changesOnly(await takeQueued(again.queue))).toEqual([changeEvent('c1', 9)]);
  });

  it('keeps other channels subscribed when one channel empties', async () => {
    const one = await queued(hub, 'c1', 'ada');
    const two = await queued(hub, 'c2', 'ada');
    one.close();
    await settle();
    expect(bus.active('c1')).toBe(0);
    expect(bus.active('c2')).toBe(1);
    await bus.publish('c2', changeEvent('c2', 1));
    expect(changesOnly(await takeQueued(two.queue))).toEqual([changeEvent('c2', 1)]);
  });

  it('cuts off a slow subscriber with overflow while the others keep receiving', async () => {
    const slow = await queued(hub, 'c1', 'slowpoke', 3);
    const fast = await queued(hub, 'c1', 'speedy', 3);
    const received: BusEvent[] = [];
    const sent: BusEvent[] = [];
    for (let offset = 1; offset <= 10; offset++) {
      const event = changeEvent('c1', offset);
      sent.push(event);
      await bus.publish('c1', event);
      // The fast consumer keeps up; the slow one never reads.
      received.push(...(await takeQueued(fast.queue)));
    }
    expect(slow.queue.ended).toBe('overflow');
    expect(slow.queue.size).toBe(0);
    expect(await slow.queue.next()).toBeNull();
    expect(fast.queue.ended).toBeNull();
    expect(changesOnly(received)).toEqual(sent);

    // The slow one leaves (the server closes its socket); the fast one is unaffected.
    slow.close();
    await bus.publish('c1', changeEvent('c1', 11));
    expect(changesOnly(await takeQueued(fast.queue))).toEqual([changeEvent('c1', 11)]);
    expect(hub.online('c1')).toEqual(['speedy']);
  });

  it('rejects the subscribe and leaves no trace when the bus subscription fails', async () => {
    bus.failNextSubscribe(new Error('redis is down'));
    await expect(queued(hub, 'c1', 'ada')).rejects.toThrow('redis is down');
    expect(hub.stats).toEqual({ channels: 0, subscriptions: 0, listeners: 0 });
    expect(hub.online('c1')).toEqual([]);

    // The next attempt subscribes afresh and works.
    const sub = await queued(hub, 'c1', 'ada');
    await bus.publish('c1', changeEvent('c1', 1));
    expect(changesOnly(await takeQueued(sub.queue))).toEqual([changeEvent('c1', 1)]);
    expect(hub.online('c1')).toEqual(['ada']);
  });
});
