import type { Channel, UserEvent } from '@hubbub/core';
import type { ChannelSummary } from './types';

/**
 * Pure updates of the channel list (the sidebar) from the user stream. Each is
 * idempotent: a replayed change, or a signal that crossed a fresh read, leaves
 * the list as applying it once would.
 */

const summary = (channel: Channel, joined: boolean): ChannelSummary => ({
  ...channel,
  joined,
  unread: 0,
  mentions: 0,
  readSeq: joined ? channel.lastOffset : null,
  people: null,
});

/** Where the server would list a channel: open ones by slug, then archived ones by slug. */
function insertSorted(list: ChannelSummary[], item: ChannelSummary): ChannelSummary[] {
  const rank = (c: ChannelSummary) => `${c.archivedAt ? 1 : 0}:${c.slug}`;
  const at = list.findIndex((c) => rank(c) > rank(item));
  return at < 0 ? [...list, item] : [...list.slice(0, at), item, ...list.slice(at)];
}

function patch(list: ChannelSummary[], channelId: string, change: Partial<ChannelSummary>): ChannelSummary[] {
  return list.map((c) => (c.id === channelId ? { ...c, ...change } : c));
}

/** The list after one user stream event (unknown events leave it as it is). */
export function applyUserEvent(list: ChannelSummary[] | undefined, event: UserEvent): ChannelSummary[] | undefined {
  if (!list) return list;
  const known = (id: string) => list.some((c) => c.id === id);
  switch (event.type) {
    case 'channel.joined': {
      const { channel } = event;
      if (!known(channel.id)) return insertSorted(list, summary(channel, true));
      return patch(list, channel.id, { ...channel, joined: true });
    }
    case 'channel.left': {
      const left = list.find((c) => c.id === event.channelId);
      if (!left) return list;
      if (left.visibility === 'private') return list.filter((c) => c.id !== event.channelId);
      return patch(list, event.channelId, { joined: false, unread: 0, mentions: 0, readSeq: null });
    }
    case 'channel.updated': {
      const { channel } = event;
      if (known(channel.id)) return patch(list, channel.id, channel);
      // A public channel that appeared: listed for everyone to join.
      return channel.visibility === 'public' ? insertSorted(list, summary(channel, false)) : list;
    }
    case 'channel.read': {
      const current = list.find((c) => c.id === event.channelId);
      if (!current || (current.readSeq ?? 0) > event.seq) return list;
      return patch(list, event.channelId, { unread: event.unread, mentions: event.mentions, readSeq: event.seq });
    }
    case 'channel.unread': {
      const { channelId, unread, mentions, lastMessageAt } = event;
      return known(channelId) ? patch(list, channelId, { unread, mentions, lastMessageAt }) : list;
    }
    default:
      return list;
  }
}

/** What the tab title counts: unread messages in the channels you are in. */
export const totalUnread = (list: ChannelSummary[] | undefined) =>
  (list ?? []).reduce((sum, c) => sum + (c.joined ? c.unread : 0), 0);
