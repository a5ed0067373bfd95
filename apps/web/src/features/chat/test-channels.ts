import type { ChannelSummary } from './types';

/** A channel.list item for tests: a public channel you are in, nothing unread, with `patch` on top. */
export function channelSummary(slug: string, patch: Partial<ChannelSummary> = {}): ChannelSummary {
  return {
    id: `id-${slug}`,
    slug,
    name: slug,
    topic: null,
    visibility: 'public',
    kind: 'channel',
    createdBy: null,
    createdAt: '2024-01-01T00:00:00.000Z',
    archivedAt: null,
    memberCount: 1,
    lastMessageAt: null,
    lastOffset: 0,
    joined: true,
    unread: 0,
    mentions: 0,
    readSeq: 0,
    people: null,
    ...patch,
  };
}
