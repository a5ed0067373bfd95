/** A channel as a caller may see it, and the publishing of its changes and signals (task-access.ts: the same for tasks). */
import {
  AppError,
  assertCanPost,
  assertCanRead,
  type Channel,
  type ChannelAccess,
  type ChannelSignal,
  type Member,
  type Membership,
  type Message,
  notFound,
  type StreamEvent,
  type User,
} from '@hubbub/core';
import type { AppDeps } from './context';

interface Caller {
  deps: AppDeps;
  user: User;
}

export async function requireChannel(deps: AppDeps, channelId: string): Promise<Channel> {
  const channel = await deps.stores.chat.channelById(channelId);
  if (!channel) throw notFound('channel');
  return channel;
}

/** The channel, if the caller may read it; with the caller's membership (null if not a member). */
export async function readableChannel(
  ctx: Caller,
  channelId: string,
): Promise<{ channel: Channel; membership: Member | null }> {
  const channel = await requireChannel(ctx.deps, channelId);
  const membership = await ctx.deps.stores.chat.membership(channelId, ctx.user.id);
  assertCanRead(channel, membership);
  return { channel, membership };
}

/**
 * Whether the caller may read the channel, and its membership (null: not a member), in one read without
 * the channel's row: for calls that only check (a subscribe, typing, the member list, leaving).
 */
export async function readAccess(
  ctx: Caller,
  channelId: string,
): Promise<{ channel: ChannelAccess; membership: Membership | null }> {
  const access = await ctx.deps.stores.chat.access(channelId, ctx.user.id);
  if (!access) throw notFound('channel');
  assertCanRead(access.channel, access.membership);
  return access;
}

/**
 * A message the caller may read, with its channel. A message in a channel the
 * caller cannot see answers "message not found", exactly like an id that never
 * existed: ids reveal nothing.
 */
export async function readableMessage(
  ctx: Caller,
  messageId: string,
): Promise<{ message: Message; channel: Channel; membership: Member | null }> {
  const message = await ctx.deps.stores.chat.messageById(messageId);
  if (!message) throw notFound('message');
  try {
    return { message, ...(await readableChannel(ctx, message.channelId)) };
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') throw notFound('message');
    throw error;
  }
}

export async function postableChannel(ctx: Caller, channelId: string): Promise<Channel> {
  const channel = await requireChannel(ctx.deps, channelId);
  assertCanPost(channel, await ctx.deps.stores.chat.membership(channelId, ctx.user.id));
  return channel;
}

/**
 * Publishes stored events, after their commit, in offset order. The write has
 * succeeded whatever happens here: if the bus is down, the caller still gets
 * its result, and subscribers get the event from the store (the bus asks every
 * stream to re-read once it is back; a later event reveals the gap anyway).
 */
export async function publishChanges(deps: AppDeps, ...events: (StreamEvent | null)[]): Promise<void> {
  for (const event of events) {
    if (event) await deps.bus.publish(event.channelId, { kind: 'change', event }).catch(() => {});
  }
}

export function publishChannelSignal(deps: AppDeps, channelId: string, s: ChannelSignal): Promise<void> {
  return deps.bus.publish(channelId, { kind: 'signal', channelId, signal: s });
}
