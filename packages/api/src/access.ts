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
export async function publish(deps: AppDeps, ...events: (StreamEvent | null)[]): Promise<void> {
  for (const event of events) {
    if (event) await deps.bus.publish(event.channelId, { kind: 'change', event }).catch(() => {});
  }
}

export function signal(deps: AppDeps, channelId: string, s: ChannelSignal): Promise<void> {
  return deps.bus.publish(channelId, { kind: 'signal', channelId, signal: s });
}
