import type { Bus, BusEvent } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChannelHub } from '../channel-hub';
import { createMemoryBus } from '../memory-bus';
import type { Presence } from '../presence';

/**
 * Waits until `check` passes. A networked presence (Redis) writes and reads
 * asynchronously; this waits for it, it asserts nothing about how long it takes.
 */
const eventually = (check: () => void | Promise<void>) => vi.waitFor(check, { timeout: 5_000, interval: 5 });

/** Presence signals the bus carried on one channel, each as its sorted list of users. */
function presenceSignals() {
  const lists: string[][] = [];
  const onEvent = (event: BusEvent) => {
    if (event.kind === 'signal' && event.signal.type === 'presence') lists.push([...event.signal.online].sort());
  };
  return { lists, onEvent, last: () => lists.at(-1) };
}

/**
 * The Presence contract: run it against every implementation (one process,
 * Redis). Presence is driven the way the server drives it: the process's hub
 * reports its local users as subscriptions come and go, and the presence
 * answers who is online and tells the channel on the bus.
 */
export function presenceContract(
  name: string,
  makePresence: (bus: Bus, hub: ChannelHub) => Presence | Promise<Presence>,
) {
  describe(name, () => {
    let bus: Bus;
    let hub: ChannelHub;
    let presence: Presence;
    let channel = 0;
    /** Channel ids unique per test, so a shared Redis cannot mix tests (or runs) up. */
    const fresh = () => `presence-contract-${process.pid}-${Date.now()}-${++channel}`;
    /** A subscription of `userId` to the channel (a tab); resolves to its end. */
    const follow = (channelId: string, userId: string) => hub.attach(channelId, userId, () => {});
    const online = async (channelId: string) => [...(await presence.online(channelId))].sort();

    beforeEach(async () => {
      bus = createMemoryBus();
      hub = new ChannelHub(bus);
      presence = await makePresence(bus, hub);
      hub.setPresenceListener((topic, users) => presence.changed(topic, users));
    });
    afterEach(async () => {
      await presence.close();
      await bus.close();
    });

    it('lists nobody in a channel nobody follows', async () => {
      expect(await presence.online(fresh())).toEqual([]);
    });

    it('lists a user who follows a channel, in that channel only', async () => {
      const followed = fresh();
      const other = fresh();
      await follow(followed, 'ada');
      await eventually(async () => expect(await online(followed)).toEqual(['ada']));
      expect(await online(other)).toEqual([]);
    });

    it('lists each user once, however many subscriptions (tabs, devices) they have', async () => {
      const c = fresh();
      await follow(c, 'ada');
      await follow(c, 'ada');
      await follow(c, 'bob');
      await eventually(async () => expect(await online(c)).toEqual(['ada', 'bob']));
    });

    it('keeps a user listed until their last subscription ends', async () => {
      const c = fresh();
      const firstTab = await follow(c, 'ada');
      const secondTab = await follow(c, 'ada');
      await eventually(async () => expect(await online(c)).toEqual(['ada']));
      firstTab();
      expect(await online(c)).toEqual(['ada']);
      secondTab();
      await eventually(async () => expect(await online(c)).toEqual([]));
    });

    it('counts only subscriptions that name a user', async () => {
      const c = fresh();
      await hub.attach(c, null, () => {});
      await follow(c, 'ada');
      await eventually(async () => expect(await online(c)).toEqual(['ada']));
    });

    it('tells the channel on the bus who is online after each change', async () => {
      const c = fresh();
      const signals = presenceSignals();
      await bus.subscribe(c, signals.onEvent);
      const adaLeaves = await follow(c, 'ada');
      await eventually(() => expect(signals.last()).toEqual(['ada']));
      await follow(c, 'bob');
      await eventually(() => expect(signals.last()).toEqual(['ada', 'bob']));
      adaLeaves();
      await eventually(() => expect(signals.last()).toEqual(['bob']));
    });

    it('tells each channel about its own users only', async () => {
      const a = fresh();
      const b = fresh();
      const onA = presenceSignals();
      const onB = presenceSignals();
      await bus.subscribe(a, onA.onEvent);
      await bus.subscribe(b, onB.onEvent);
      await follow(a, 'ada');
      await follow(b, 'bob');
      await eventually(() => {
        expect(onA.last()).toEqual(['ada']);
        expect(onB.last()).toEqual(['bob']);
      });
      expect(onA.lists.flat()).not.toContain('bob');
      expect(onB.lists.flat()).not.toContain('ada');
    });
  });
}
