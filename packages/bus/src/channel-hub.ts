import type { Bus, BusEvent } from '@hubbub/core';
import { SubscriberQueue } from './subscriber-queue';

export interface HubSubscription {
  readonly queue: SubscriberQueue<BusEvent>;
  /** Leaves the channel; safe to call more than once. */
  close(): void;
}

interface ChannelEntry {
  subscribers: Set<SubscriberQueue<BusEvent>>;
  /** userId → number of this user's subscriptions here (tabs, devices). */
  users: Map<string, number>;
  unsubscribe: Promise<() => Promise<void>>;
}

export interface ChannelHubOptions {
  /** Events a subscriber may have waiting before it is cut off as too slow. */
  queueCapacity?: number;
}

/**
 * The per-process fan-out: one bus subscription per channel, however many
 * local subscribers, each with its own bounded queue. It also knows who is
 * subscribed where, which is what presence is.
 */
export class ChannelHub {
  private readonly channels = new Map<string, ChannelEntry>();
  private readonly queueCapacity: number;
  private subscriptionCount = 0;

  constructor(
    private readonly bus: Bus,
    options: ChannelHubOptions = {},
  ) {
    this.queueCapacity = options.queueCapacity ?? 1024;
  }

  get stats() {
    return { channels: this.channels.size, subscriptions: this.subscriptionCount };
  }

  /** Users with at least one live subscription to the channel in this process. */
  online(channelId: string): string[] {
    return [...(this.channels.get(channelId)?.users.keys() ?? [])];
  }

  /**
   * Registers for live events on a topic (a channel id, or "tasks"); resolves
   * once the bus delivers it here. With a userId the subscription counts
   * towards the topic's presence.
   */
  async subscribe(channelId: string, userId: string | null): Promise<HubSubscription> {
    const entry = this.entry(channelId);
    const queue = new SubscriberQueue<BusEvent>(this.queueCapacity);
    entry.subscribers.add(queue);
    this.subscriptionCount++;
    let present: string | null = null;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      queue.end();
      this.leave(channelId, entry, queue, present);
    };
    try {
      await entry.unsubscribe;
    } catch (error) {
      close();
      throw error;
    }
    if (userId && !closed) {
      present = userId;
      const count = entry.users.get(userId) ?? 0;
      entry.users.set(userId, count + 1);
      if (count === 0) this.publishPresence(channelId);
    }
    return { queue, close };
  }

  private entry(channelId: string): ChannelEntry {
    let entry = this.channels.get(channelId);
    if (!entry) {
      const subscribers = new Set<SubscriberQueue<BusEvent>>();
      const deliver = (event: BusEvent) => {
        for (const queue of subscribers) queue.push(event);
      };
      entry = { subscribers, users: new Map(), unsubscribe: this.bus.subscribe(channelId, deliver) };
      this.channels.set(channelId, entry);
    }
    return entry;
  }

  private leave(channelId: string, entry: ChannelEntry, queue: SubscriberQueue<BusEvent>, userId: string | null) {
    entry.subscribers.delete(queue);
    this.subscriptionCount--;
    if (userId) {
      const count = (entry.users.get(userId) ?? 1) - 1;
      if (count > 0) entry.users.set(userId, count);
      else {
        entry.users.delete(userId);
        this.publishPresence(channelId);
      }
    }
    if (entry.subscribers.size === 0 && this.channels.get(channelId) === entry) {
      this.channels.delete(channelId);
      entry.unsubscribe.then((off) => off()).catch(() => {});
    }
  }

  private publishPresence(channelId: string) {
    const signal = { type: 'presence' as const, online: this.online(channelId) };
    this.bus.publish(channelId, { kind: 'signal', channelId, signal }).catch(() => {});
  }
}
