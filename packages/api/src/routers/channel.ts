import {
  assertCanArchive,
  assertCanJoin,
  type ChannelChange,
  type ChannelSignal,
  ZChannelEventInput,
  ZChannelListInput,
  ZChannelRef,
  ZCreateChannelInput,
} from '@hubbub/core';
import { publishChanges, publishChannelSignal, readableChannel, requireChannel } from '../channel-access';
import { take } from '../limits';
import { ResumableStream, type StreamSource } from '../resumable-stream';
import { protectedProcedure, router, writeProcedure } from '../trpc';

const TYPING_MS = 5000;
/** Channels per page of channel.list when the caller does not say. */
const CHANNEL_PAGE = 100;

/** The list position after a channel: "<0|1>:<slug>" (archived or not, then the slug), opaque to clients. */
const channelCursor = (channel: { archivedAt: string | null; slug: string }) =>
  `${channel.archivedAt ? 1 : 0}:${channel.slug}`;

function parseChannelCursor(cursor: string | null | undefined): { archived: boolean; slug: string } | undefined {
  const match = cursor ? /^([01]):(.+)$/.exec(cursor) : null;
  return match?.[2] ? { archived: match[1] === '1', slug: match[2] } : undefined;
}

export const channelRouter = router({
  /** The channels the caller can see, a page at a time: public ones and their private ones, archived last. */
  list: protectedProcedure.input(ZChannelListInput).query(async ({ input, ctx }) => {
    const limit = input?.limit ?? CHANNEL_PAGE;
    const items = await ctx.deps.stores.chat.listChannels(ctx.user.id, {
      after: parseChannelCursor(input?.cursor),
      limit,
    });
    const last = items.length === limit ? items.at(-1) : undefined;
    return { items, nextCursor: last ? channelCursor(last) : null };
  }),

  create: writeProcedure.input(ZCreateChannelInput).mutation(async ({ input, ctx }) => {
    await take(ctx.deps.rateLimits.channelCreates, ctx.user.id, 'you have created many channels in the last hour');
    const { channel, events } = await ctx.deps.stores.chat.createChannel({ ...input, createdBy: ctx.user.id });
    await publishChanges(ctx.deps, ...events);
    return channel;
  }),

  join: writeProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    assertCanJoin(await requireChannel(ctx.deps, input.channelId), ctx.user);
    await publishChanges(ctx.deps, await ctx.deps.stores.chat.join(input.channelId, ctx.user.id));
    return requireChannel(ctx.deps, input.channelId);
  }),

  leave: writeProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    // Readable, not merely existing: leaving a private channel one is not in answers like a random id.
    await readableChannel(ctx, input.channelId);
    await publishChanges(ctx.deps, await ctx.deps.stores.chat.leave(input.channelId, ctx.user.id));
    return { channelId: input.channelId };
  }),

  archive: writeProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    const { membership } = await readableChannel(ctx, input.channelId);
    assertCanArchive(ctx.user, membership);
    const { channel, event } = await ctx.deps.stores.chat.archive(input.channelId);
    await publishChanges(ctx.deps, event);
    return channel;
  }),

  /** Makes an archived channel writable again: the same people as archive (its owner, an admin). */
  unarchive: writeProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    const { channel: current, membership } = await readableChannel(ctx, input.channelId);
    assertCanArchive(ctx.user, membership);
    if (!current.archivedAt) return current;
    const { channel, event } = await ctx.deps.stores.chat.unarchive(input.channelId);
    await publishChanges(ctx.deps, event);
    return channel;
  }),

  members: protectedProcedure.input(ZChannelRef).query(async ({ input, ctx }) => {
    await readableChannel(ctx, input.channelId);
    const online = new Set(await ctx.deps.presence.online(input.channelId));
    const members = await ctx.deps.stores.chat.members(input.channelId);
    return members.map((m) => ({ ...m, online: online.has(m.userId) }));
  }),

  /** Ephemeral "is typing" notice; at most one per user and channel every 2 s reaches the others. */
  typing: protectedProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    const now = ctx.deps.clock.now();
    if (!ctx.deps.typingThrottle.pass(`${ctx.user.id}:${input.channelId}`, now)) return { sent: false };
    const { membership } = await readableChannel(ctx, input.channelId);
    if (!membership) return { sent: false };
    await publishChannelSignal(ctx.deps, input.channelId, {
      type: 'typing',
      userId: ctx.user.id,
      displayName: ctx.user.displayName,
      until: new Date(now + TYPING_MS).toISOString(),
    });
    return { sent: true };
  }),

  /** The channel's live stream: resumable by lastEventId (see resumable-stream.ts). */
  onEvent: protectedProcedure.input(ZChannelEventInput).subscription(async ({ input, ctx, signal }) => {
    const { channel } = await readableChannel(ctx, input.channelId);
    const chat = ctx.deps.stores.chat;
    const source: StreamSource<ChannelChange, ChannelSignal> = {
      topic: channel.id,
      userId: ctx.user.id,
      epoch: chat.epoch(),
      info: () => chat.streamInfo(channel.id),
      eventsAfter: (after, limit) => chat.eventsAfter(channel.id, after, limit),
      classify: (event) =>
        event.kind === 'change' ? { stored: event.event } : event.kind === 'signal' ? { signal: event.signal } : null,
      // Who is here, and the text so far of replies still streaming (the deltas that follow continue it).
      greeting: async (delivered) => [
        { type: 'presence', online: await ctx.deps.presence.online(channel.id) },
        ...ctx.deps.assistant
          .inFlight(channel.id, delivered)
          .map(({ messageId, text }) => ({ type: 'message.delta' as const, messageId, index: 0, text })),
      ],
      // Leaving a private channel ends its stream.
      endsWith: (change) =>
        change.type === 'member.left' && change.userId === ctx.user.id && channel.visibility === 'private',
    };
    return new ResumableStream(
      { hub: ctx.deps.hub, limits: ctx.deps.limits, connection: ctx.connection, owner: ctx },
      source,
      input.lastEventId,
      signal,
    );
  }),
});
