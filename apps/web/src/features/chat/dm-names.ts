import type { ChannelSummary } from './types';

/** Someone in a direct conversation, as channel.list gives them. */
export type DirectPerson = NonNullable<ChannelSummary['people']>[number];

type Conversation = Pick<ChannelSummary, 'kind' | 'slug' | 'people'>;

export function isDirect(channel: Pick<ChannelSummary, 'kind'>): boolean {
  return channel.kind === 'dm';
}

/** The people of a direct conversation other than you, by name: its name is theirs, not yours. */
export function otherPeople(people: readonly DirectPerson[] | null, meId: string): DirectPerson[] {
  return (people ?? []).filter((p) => p.userId !== meId).sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/** "Bob", "Bob, Cy"; "you" when you are the only one in it (notes to self). */
export function directTitle(people: readonly DirectPerson[] | null, meId: string): string {
  const others = otherPeople(people, meId);
  return others.length === 0 ? 'you' : others.map((p) => p.displayName).join(', ');
}

/** How a conversation is named in sentences and labels: "#design" for a channel, "Bob, Cy" for a direct one. */
export function conversationName(channel: Conversation, meId: string): string {
  return isDirect(channel) ? directTitle(channel.people, meId) : `#${channel.slug}`;
}

/** The direct conversations among your channels, the most recently active first (never written in: newest first). */
export function directConversations<T extends Pick<ChannelSummary, 'kind' | 'joined' | 'lastMessageAt' | 'createdAt'>>(
  channels: readonly T[],
): T[] {
  const activity = (c: T) => c.lastMessageAt ?? c.createdAt;
  return channels.filter((c) => isDirect(c) && c.joined).sort((a, b) => activity(b).localeCompare(activity(a)));
}
