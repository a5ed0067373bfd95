import { CHANNEL_MENTION, mentionedHandles, type User } from '@hubbub/core';
import type { AppDeps } from './context';

/**
 * The members a message mentions, the author aside: those named by @handle,
 * or all of them by @channel when its author owns the channel or is an admin
 * (anyone else's @channel is plain text). People outside the channel are
 * never mentioned: a mention must not tell them about a channel they cannot read.
 */
export async function mentionedMembers(deps: AppDeps, author: User, channelId: string, content: string) {
  const handles = new Set(mentionedHandles(content));
  if (handles.size === 0) return [];
  const members = await deps.stores.chat.members(channelId);
  const everyone =
    handles.has(CHANNEL_MENTION) &&
    (author.role === 'admin' || members.some((m) => m.userId === author.id && m.role === 'owner'));
  return members.filter((m) => m.userId !== author.id && (everyone || handles.has(m.handle))).map((m) => m.userId);
}
