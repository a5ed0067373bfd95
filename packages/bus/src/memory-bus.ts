import type { Bus, BusEvent } from '@hubbub/core';

/** In-process bus: delivers synchronously, in publish order. */
export function createMemoryBus(): Bus {
  const handlers = new Map<string, Set<(event: BusEvent) => void>>();
  return {
    kind: 'memory',
    async publish(channelId, event) {
      const set = handlers.get(channelId);
      if (!set) return;
      for (const handler of set) handler(event);
    },
    async subscribe(channelId, onEvent) {
      let set = handlers.get(channelId);
      if (!set) {
        set = new Set();
        handlers.set(channelId, set);
      }
      set.add(onEvent);
      return async () => {
        set.delete(onEvent);
        if (set.size === 0 && handlers.get(channelId) === set) handlers.delete(channelId);
      };
    },
    async close() {
      handlers.clear();
    },
  };
}
