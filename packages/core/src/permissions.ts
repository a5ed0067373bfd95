import { AppError, notFound } from './errors';
import type { Channel, Message, User } from './types';

export interface Membership {
  role: 'owner' | 'member';
}

/** What the read and post rules look at in a channel. */
export type ChannelAccess = Pick<Channel, 'visibility' | 'archivedAt'>;

/**
 * Public channels are readable by everyone signed in; private ones by members
 * only. To anyone else a private channel does not exist: the same NOT_FOUND
 * as a random id, so its id reveals nothing.
 */
export function assertCanRead(channel: ChannelAccess, membership: Membership | null): void {
  if (channel.visibility === 'private' && !membership) throw notFound('channel');
}

export function assertNotArchived(channel: ChannelAccess): void {
  if (channel.archivedAt) throw new AppError('FORBIDDEN', 'this channel is archived and read-only');
}

export function assertCanPost(channel: ChannelAccess, membership: Membership | null): void {
  assertCanRead(channel, membership);
  assertNotArchived(channel);
  if (!membership) throw new AppError('FORBIDDEN', 'join the channel to post in it');
}

export function assertCanJoin(channel: Channel, user: User): void {
  if (channel.visibility === 'private' && user.role !== 'admin') throw notFound('channel');
  if (channel.archivedAt) throw new AppError('FORBIDDEN', 'this channel is archived');
}

export function assertCanArchive(user: User, membership: Membership | null): void {
  if (user.role !== 'admin' && membership?.role !== 'owner') {
    throw new AppError('FORBIDDEN', 'only the channel owner or an admin can archive it');
  }
}

export function assertCanEditChannel(user: User, membership: Membership | null): void {
  if (user.role !== 'admin' && membership?.role !== 'owner') {
    throw new AppError('FORBIDDEN', 'only the channel owner or an admin can rename it or change its topic');
  }
}

/** A deleted thread root is only the replies' anchor: nothing more is done to it (as if it were gone). */
export function assertNotDeleted(message: Message): void {
  if (message.meta?.deleted) throw notFound('message');
}

export function assertCanModify(user: User, message: Message): void {
  assertNotDeleted(message);
  if (user.role !== 'admin' && message.authorId !== user.id) {
    throw new AppError('FORBIDDEN', 'you can only change your own messages');
  }
  if (message.role === 'assistant' && message.status === 'streaming') {
    throw new AppError('CONFLICT', 'this reply is still streaming');
  }
}
