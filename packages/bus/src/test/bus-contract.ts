import type { Bus, BusEvent } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** A stored-change event on `channelId` at `offset` (its content is only there to be compared). */
export function changeEvent(channelId: string, offset: number): BusEvent {
  return { kind: 'change', event: { channelId, offset, change: { type: 'member.left', userId: `u${offset}` } } };
}

/** An ephemeral event on `channelId`. */
export function typingSignal(channelId: string, userId: string): BusEvent {
  return {
    kind: 'signal',
    channelId,
    signal: { type: 'typing', userId, displayName: userId, until: '2030-01-01T00:00:00.000Z' },
  };
}

/** Records what a subscription receives. */
function recorder() {
  const events: BusEvent[] = [];
  return { events, onEvent: (event: BusEvent) => void events.push(event) };
}

/**
 * Waits until `check` passes. A networked bus (Redis) delivers asynchronously;
 * this waits for delivery, it asserts nothing about how long it takes.
 */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 5_000, interval: 5 });

/** The Bus contract: run it against every implementation (memory now, Redis later). */
export function busContract(name: string, makeBus: () => Promise<Bus> | Bus): void {
  describe(name, () => {
    let bus: Bus;
    let channel = 0;
    /** Channel ids unique per test, so a shared broker (Redis) cannot mix tests up. */
    const fresh = () => `bus-contract-${process.pid}-${Date.now()}-${++channel}`;

    beforeEach(async () => {
      bus = await makeBus();
    });
    afterEach(async () => {
      await bus.close();
    });

    it('names its kind', () => {
      expect(['memory', 'redis']).toContain(bus.kind);
    });

    it('delivers published events to a subscriber of the channel, in publish order', async () => {
      const c = fresh();
      const rec = recorder();
      await bus.subscribe(c, rec.onEvent);
      const sent = [changeEvent(c, 1), typingSignal(c, 'ada'), changeEvent(c, 2), changeEvent(c, 3)];
      for (const event of sent) await bus.publish(c, event);
      await eventually(() => expect(rec.events).toHaveLength(sent.length));
      expect(rec.events).toEqual(sent);
    });

    it('delivers to the subscribers of that channel only', async () => {
      const a = fresh();
      const b = fresh();
      const onA = recorder();
      const onB = recorder();
      await bus.subscribe(a, onA.onEvent);
      await bus.subscribe(b, onB.onEvent);
      await bus.publish(a, changeEvent(a, 1));
      await bus.publish(b, changeEvent(b, 1));
      await bus.publish(a, changeEvent(a, 2));
      await bus.publish(fresh(), changeEvent('nobody-listens', 1));
      await eventually(() => {
        expect(onA.events).toHaveLength(2);
        expect(onB.events).toHaveLength(1);
      });
      expect(onA.events).toEqual([changeEvent(a, 1), changeEvent(a, 2)]);
      expect(onB.events).toEqual([changeEvent(b, 1)]);
    });

    it('delivers every event to each of several subscribers of a channel', async () => {
      const c = fresh();
      const recs = [recorder(), recorder(), recorder()];
      for (const rec of recs) await bus.subscribe(c, rec.onEvent);
      const sent = [changeEvent(c, 1), changeEvent(c, 2)];
      for (const event of sent) await bus.publish(c, event);
      await eventually(() => {
        for (const rec of recs) expect(rec.events).toHaveLength(2);
      });
      for (const rec of recs) expect(rec.events).toEqual(sent);
    });

    it('stops delivering to a subscription once it is unsubscribed, and only to that one', async () => {
      const c = fresh();
      const leaving = recorder();
      const staying = recorder();
      const off = await bus.subscribe(c, leaving.onEvent);
      await bus.subscribe(c, staying.onEvent);
      await bus.publish(c, changeEvent(c, 1));
      await eventually(() => expect(leaving.events).toHaveLength(1));

      await off();
      await bus.publish(c, changeEvent(c, 2));
      await bus.publish(c, changeEvent(c, 3));
      // The staying subscriber doubles as a barrier: once it has 3, event 2 and 3 have been delivered.
      await eventually(() => expect(staying.events).toHaveLength(3));
      expect(leaving.events).toEqual([changeEvent(c, 1)]);
    });

    it('lets the last subscriber leave and a new one join the same channel', async () => {
      const c = fresh();
      const first = recorder();
      const off = await bus.subscribe(c, first.onEvent);
      await off();
      const second = recorder();
      await bus.subscribe(c, second.onEvent);
      await bus.publish(c, changeEvent(c, 1));
      await eventually(() => expect(second.events).toHaveLength(1));
      expect(first.events).toEqual([]);
    });

    it('tolerates an unsubscribe called twice', async () => {
      const c = fresh();
      const gone = recorder();
      const kept = recorder();
      const off = await bus.subscribe(c, gone.onEvent);
      await bus.subscribe(c, kept.onEvent);
      await off();
      await off();
      await bus.publish(c, changeEvent(c, 1));
      await eventually(() => expect(kept.events).toHaveLength(1));
      expect(gone.events).toEqual([]);
    });

    it('publishing to a channel without subscribers succeeds', async () => {
      await expect(bus.publish(fresh(), changeEvent('x', 1))).resolves.toBeUndefined();
    });
  });
}
