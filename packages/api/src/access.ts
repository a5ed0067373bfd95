import {
  assertCanPost,
  assertCanRead,
  type Channel,
  type ChannelSignal,
  type Member,
  notFound,
  type StreamEvent,
  type User,
} from '@hubbub/core';
import type { AppDeps } from './context';

interface Caller {
  user: User;
}

export async function requireChannel(ctx: AppDeps, channelId: string): Promise<Channel> {
  const channel = await ctx.stores.chat.channelById(channelId);
  if (!channel) throw notFound('channel');
  return channel;
}

/** The channel, if the caller may read it; with the caller's membership (null if not a member). */
export async function readableChannel(
  ctx: AppDeps & Caller,
  channelId: string,
): Promise<{ channel: Channel; membership: Member | null }> {
  const channel = await requireChannel(ctx, channelId);
  const membership = await ctx.stores.chat.membership(channelId, ctx.user.id);
  assertCanRead(channel, membership);
  return { channel, membership };
}

export async function postableChannel(ctx: AppDeps & Caller, channelId: string): Promise<Channel> {
  const channel = await requireChannel(ctx, channelId);
  assertCanPost(channel, await ctx.stores.chat.membership(channelId, ctx.user.id));
  return channel;
}

/**
 * Publishes stored events, after their commit, in offset order. The write has
 * succeeded whatever happens here: if the bus is down, the caller still gets
 * its result, and subscribers get the event from the store (the bus asks every
 * stream to re-read once it is back; a later event reveals the gap anyway).
 */
export async function publish(ctx: AppDeps, ...events: (StreamEvent | null)[]): Promise<void> {
  for (const event of events) {
    if (event) await ctx.bus.publish(event.channelId, { kind: 'change', event }).catch(() => {});
  }
}

export function signal(ctx: AppDeps, channelId: string, s: ChannelSignal): Promise<void> {
  return ctx.bus.publish(channelId, { kind: 'signal', channelId, signal: s });
}
