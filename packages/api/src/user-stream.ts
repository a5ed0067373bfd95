/** The source of `user.onEvent`: the user's stored changes, and live signals from the channels they are in. */
import type { ChannelHub } from '@hubbub/bus';
import {
  type BusEvent,
  DIRECTORY_TOPIC,
  type PeopleStore,
  type ReadState,
  UNREAD_CAP,
  type UserChange,
  type UserSignal,
  userTopic,
} from '@hubbub/core';
import type { StreamSource } from './resumable-stream';

/**
 * Keeps one subscriber's unread and mention counts current. It starts from the
 * store (readStates) and follows every channel the user is in on the hub:
 * each new message after the read position counts once (by its seq, so one
 * already counted by the store is not counted again), and the user's own
 * changes (joined, left, read) start, stop or reset a channel's count.
 */
export class UnreadFollower {
  private readonly channels = new Map<string, ReadState & { detach?: () => void }>();
  private stopped = false;
  private stopDirectory: (() => void) | null = null;

  constructor(
    private readonly hub: Pick<ChannelHub, 'attach'>,
    private readonly people: PeopleStore,
    private readonly userId: string,
    private readonly emit: (signal: UserSignal) => void,
  ) {}

  async start(): Promise<() => void> {
    this.stopDirectory = await this.hub.attach(DIRECTORY_TOPIC, null, (event) => {
      // A channel followed already says so on its own topic: one channel.updated, not two.
      if (event.kind === 'directory' && !this.channels.has(event.channel.id)) {
        this.emit({ type: 'channel.updated', channel: event.channel });
      }
      if (event.kind === 'agents') this.emit({ type: 'agent.changed', handle: event.handle, removed: event.removed });
    });
    for (const state of await this.people.readStates(this.userId)) await this.follow(state);
    return () => this.stop();
  }

  /** A live change of the user's own stream (before it is delivered). */
  onUserChange(change: UserChange): void {
    if (change.type === 'channel.joined') {
      const { channel } = change;
      if (this.channels.has(channel.id)) return;
      const head = channel.lastOffset;
      const state = { channelId: channel.id, kind: channel.kind, readSeq: head, headSeq: head };
      void this.follow({ ...state, lastMessageAt: channel.lastMessageAt, unread: 0, mentions: 0 });
    } else if (change.type === 'channel.left') {
      this.channels.get(change.channelId)?.detach?.();
      this.channels.delete(change.channelId);
    } else if (change.type === 'channel.read') {
      const state = this.channels.get(change.channelId);
      if (!state || change.seq < state.readSeq) return;
      Object.assign(state, { readSeq: change.seq, unread: change.unread, mentions: change.mentions });
    }
  }

  private async follow(state: ReadState): Promise<void> {
    if (this.stopped) return;
    const followed: ReadState & { detach?: () => void } = { ...state };
    this.channels.set(state.channelId, followed);
    const detach = await this.hub.attach(state.channelId, null, (event) => this.onChannelEvent(followed, event));
    if (this.stopped || this.channels.get(state.channelId) !== followed) detach();
    else followed.detach = detach;
  }

  private onChannelEvent(state: ReadState, event: BusEvent): void {
    if (event.kind === 'signal' && event.signal.type === 'agent.status') {
      // An agent working on a reply this person asked for: their other tabs and pages hear of it too.
      if (event.signal.requestedBy === this.userId) this.emit({ ...event.signal, channelId: state.channelId });
      return;
    }
    if (event.kind !== 'change') return;
    const { change } = event.event;
    if (change.type === 'channel.updated') {
      this.emit({ type: 'channel.updated', channel: change.channel });
      return;
    }
    if (change.type !== 'message.created') return;
    const { message } = change;
    if (message.seq <= state.headSeq) return;
    state.headSeq = message.seq;
    state.lastMessageAt = message.createdAt;
    const fromOthers = message.authorId !== this.userId && message.seq > state.readSeq;
    const mentionsMe = fromOthers && (message.meta?.mentions?.includes(this.userId) ?? false);
    // A reply in a thread of mine counts like a mention (the store keeps a mention row for it too).
    const repliesToMe = fromOthers && !mentionsMe && (message.meta?.threadFollowers?.includes(this.userId) ?? false);
    // A reply only in its thread is not news in the channel itself (the store does not count it either).
    const inChannel = !message.threadId || message.alsoInChannel === true;
    if (fromOthers && inChannel) state.unread = Math.min(UNREAD_CAP, state.unread + 1);
    if (mentionsMe || repliesToMe) state.mentions += 1;
    const { channelId, unread, mentions, lastMessageAt } = state;
    this.emit({ type: 'channel.unread', channelId, unread, mentions, lastMessageAt });
    if (mentionsMe) this.emit({ type: 'mention', channelId, message });
    if (repliesToMe) this.emit({ type: 'thread.reply', channelId, message });
    if (fromOthers && state.kind === 'dm') this.emit({ type: 'direct.message', channelId, message });
  }

  private stop(): void {
    this.stopped = true;
    this.stopDirectory?.();
    for (const state of this.channels.values()) state.detach?.();
    this.channels.clear();
  }
}

/** The user stream of `userId`, resumable like a channel's; its signals come from an UnreadFollower. */
export function userStreamSource(
  hub: Pick<ChannelHub, 'attach'>,
  people: PeopleStore,
  userId: string,
): StreamSource<UserChange, UserSignal> {
  let follower: UnreadFollower | null = null;
  return {
    topic: userTopic(userId),
    userId: null,
    epoch: people.epoch(),
    info: () => people.streamInfo(userId),
    eventsAfter: (after, limit) => people.eventsAfter(userId, after, limit),
    classify: (event) => {
      if (event.kind !== 'user' || event.event.userId !== userId) return null;
      follower?.onUserChange(event.event.change);
      return { kind: 'change', event: event.event };
    },
    follow: async (emit) => {
      follower = new UnreadFollower(hub, people, userId, emit);
      return follower.start();
    },
  };
}
