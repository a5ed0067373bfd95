import type { Bus } from '@hubbub/core';

/**
 * Who is online in a channel. The hub knows this process's subscribers and
 * reports changes; a Presence turns them into the channel's answer (this
 * process alone, or the whole cluster) and tells subscribers when it changes.
 */
export interface Presence {
  /** Users online in the channel. */
  online(channelId: string): Promise<string[]>;
  /** This process's users in the channel changed to `localUsers`. */
  changed(channelId: string, localUsers: string[]): void;
  close(): Promise<void>;
}

/** One process: the local users are everyone; each change is published as a presence signal. */
export function createLocalPresence(bus: Bus, localUsers: (channelId: string) => string[]): Presence {
  return {
    online: async (channelId) => localUsers(channelId),
    changed(channelId, users) {
      bus
        .publish(channelId, { kind: 'signal', channelId, signal: { type: 'presence', online: users } })
        .catch(() => {});
    },
    close: async () => {},
  };
}
