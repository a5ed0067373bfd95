import type { Bus, BusEvent } from '@hubbub/core';

/** Something to hand each event to, synchronously. */
export type Deliver = (event: BusEvent) => void;

/**
 * A local subscriber as the hub keeps it: an object with a method, so a stream can be its own listener. A fan-out
 * touches every subscriber's objects once per event; a closure would be two more (itself and its context) per
 * subscriber, each a likely cache miss once there are thousands of them.
 */
export interface BusListener {
  onBusEvent(event: BusEvent): void;
}

interface ChannelEntry {
  subscribers: Set<BusListener>;
  /** userId → number of this user's subscriptions here (tabs, devices). */
  users: Map<string, number>;
  /** The bus subscription for this topic: resolves (to its unsubscribe) once the bus delivers the topic here. */
  busSubscription: Promise<() => Promise<void>>;
}

export interface ChannelHubOptions {
  /** Told when this process's users in a topic change (default: nobody). */
  onPresenceChange?(topic: string, localUsers: string[]): void;
}

/**
 * A topic's presence changes are told at once, then at most once per window, with its users as they are then.
 * A change is the whole list, sent to every subscriber of the topic: told per join, a storm of N people
 * reconnecting to one channel would send N lists of up to N users to up to N subscribers each.
 */
export const PRESENCE_WINDOW_MS = 250;
/** Past 50 people online the window grows by this much per person, so a subscriber's presence bytes per second stay bounded. */
const PRESENCE_WINDOW_MS_PER_USER = 5;

/** The window after telling a presence list of `online` users: 250 ms up to 50 users, 5 ms per user beyond. */
export function presenceWindow(online: number): number {
  return Math.max(PRESENCE_WINDOW_MS, online * PRESENCE_WINDOW_MS_PER_USER);
}

/**
 * The per-process fan-out: one bus subscription per topic (a channel, or
 * "tasks"), however many local subscribers, each handed every event in turn
 * with no allocation per subscriber. It also knows who is subscribed where,
 * which is what presence is.
 */
export class ChannelHub {
  private readonly channels = new Map<string, ChannelEntry>();
  private subscriptionCount = 0;
  private onPresenceChange: (topic: string, localUsers: string[]) => void;
  /** Topics whose presence was told less than a window ago, with the timer that ends their window. */
  private readonly presenceWindows = new Map<string, NodeJS.Timeout>();
  /** Topics whose presence changed again within their window: told when it ends. */
  private readonly presenceDue = new Set<string>();

  constructor(
    private readonly bus: Bus,
    options: ChannelHubOptions = {},
  ) {
    this.onPresenceChange = options.onPresenceChange ?? (() => {});
  }

  /** Sets who hears about presence changes (wired after construction: presence needs the hub). */
  setPresenceListener(listener: (topic: string, localUsers: string[]) => void): void {
    this.onPresenceChange = listener;
  }

  /** Topics with local subscribers. */
  topics(): string[] {
    return [...this.channels.keys()];
  }

  /** The bus may have lost events (it reconnected): every local stream re-reads its store. */
  resync(): void {
    const event = { kind: 'resync' as const };
    for (const entry of this.channels.values()) for (const listener of entry.subscribers) listener.onBusEvent(event);
  }

  /** Topics, subscriptions, and the listeners the topics' events are handed to (a group of subscribers is one). */
  get stats() {
    let listeners = 0;
    for (const entry of this.channels.values()) listeners += entry.subscribers.size;
    return { channels: this.channels.size, subscriptions: this.subscriptionCount, listeners };
  }

  /** Users with at least one live subscription to the channel in this process. */
  online(channelId: string): string[] {
    return [...(this.channels.get(channelId)?.users.keys() ?? [])];
  }

  /**
   * Registers a listener for a topic's events; resolves (with the detach
   * function) once the bus delivers the topic here. With a userId the
   * subscription counts towards the topic's presence.
   */
  async attach(topic: string, userId: string | null, to: Deliver | BusListener): Promise<() => void> {
    const entry = this.entry(topic);
    const listener = typeof to === 'function' ? { onBusEvent: to } : to;
    entry.subscribers.add(listener);
    this.subscriptionCount++;
    let present: string | null = null;
    let detached = false;
    const detach = () => {
      if (detached) return;
      detached = true;
      this.leave(topic, entry, listener, present);
    };
    try {
      await entry.busSubscription;
    } catch (error) {
      detach();
      throw error;
    }
    if (userId && !detached) {
      present = userId;
      const count = entry.users.get(userId) ?? 0;
      entry.users.set(userId, count + 1);
      if (count === 0) this.publishPresence(topic);
    }
    return detach;
  }

  /**
   * Hands the topic's events to `listener` from now on, or (removeListener) no longer: for a group that delivers
   * them to subscribers it holds (who are removed while they are in it) in one call per event. The topic's
   * subscribers, presence and bus subscription stay as they are; false when the topic has no subscriber here.
   * A listener added while an event is being handed out hears that event too (a Set visits what is added while
   * it is iterated): a subscriber leaving a group mid-event hears the event from the hub.
   */
  addListener(topic: string, listener: BusListener): boolean {
    const entry = this.channels.get(topic);
    entry?.subscribers.add(listener);
    return entry !== undefined;
  }

  removeListener(topic: string, listener: BusListener): void {
    this.channels.get(topic)?.subscribers.delete(listener);
  }

  private entry(topic: string): ChannelEntry {
    let entry = this.channels.get(topic);
    if (!entry) {
      const subscribers = new Set<BusListener>();
      const fanOut = (event: BusEvent) => {
        for (const listener of subscribers) listener.onBusEvent(event);
      };
      entry = { subscribers, users: new Map(), busSubscription: this.bus.subscribe(topic, fanOut) };
      this.channels.set(topic, entry);
    }
    return entry;
  }

  private leave(topic: string, entry: ChannelEntry, listener: BusListener, userId: string | null) {
    entry.subscribers.delete(listener);
    this.subscriptionCount--;
    if (userId) {
      const count = (entry.users.get(userId) ?? 1) - 1;
      if (count > 0) entry.users.set(userId, count);
      else {
        entry.users.delete(userId);
        this.publishPresence(topic);
      }
    }
    if (entry.subscribers.size === 0 && this.channels.get(topic) === entry) {
      this.channels.delete(topic);
      entry.busSubscription.then((unsubscribe) => unsubscribe()).catch(() => {});
    }
  }

  /** Tells the topic's presence now, or at the end of its window if it was told less than a window ago. */
  private publishPresence(topic: string): void {
    if (this.presenceWindows.has(topic)) {
      this.presenceDue.add(topic);
      return;
    }
    const online = this.online(topic);
    this.onPresenceChange(topic, online);
    const window = setTimeout(() => {
      this.presenceWindows.delete(topic);
      if (this.presenceDue.delete(topic)) this.publishPresence(topic);
    }, presenceWindow(online.length));
    window.unref();
    this.presenceWindows.set(topic, window);
  }

  /** The process is stopping: presence changes not yet told are dropped (a cluster's presence expires them). */
  close(): void {
    for (const window of this.presenceWindows.values()) clearTimeout(window);
    this.presenceWindows.clear();
    this.presenceDue.clear();
  }
}
