import type { Bus, BusEvent } from '@hubbub/core';

export interface CountingBus extends Bus {
  /** Bus subscriptions made, per channel. */
  readonly subscribes: Map<string, number>;
  /** Bus subscriptions ended, per channel. */
  readonly unsubscribes: Map<string, number>;
  /** Everything published through this bus, in order. */
  readonly published: { channelId: string; event: BusEvent }[];
  /** Bus subscriptions open now, per channel. */
  active(channelId: string): number;
  /** Makes the next `subscribe` call reject with `error`. */
  failNextSubscribe(error: Error): void;
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** Wraps a bus to count what goes through it (the hub must subscribe once per channel). */
export function countingBus(inner: Bus): CountingBus {
  const subscribes = new Map<string, number>();
  const unsubscribes = new Map<string, number>();
  const published: { channelId: string; event: BusEvent }[] = [];
  let failure: Error | null = null;
  return {
    kind: inner.kind,
    subscribes,
    unsubscribes,
    published,
    active: (channelId) => (subscribes.get(channelId) ?? 0) - (unsubscribes.get(channelId) ?? 0),
    failNextSubscribe(error) {
      failure = error;
    },
    async publish(channelId, event) {
      published.push({ channelId, event });
      await inner.publish(channelId, event);
    },
    async subscribe(channelId, onEvent) {
      if (failure) {
        const error = failure;
        failure = null;
        throw error;
      }
      bump(subscribes, channelId);
      const off = await inner.subscribe(channelId, onEvent);
      let done = false;
      return async () => {
        if (done) return;
        done = true;
        bump(unsubscribes, channelId);
        await off();
      };
    },
    close: () => inner.close(),
  };
}
