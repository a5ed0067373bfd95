import {
  assertCanArchive,
  assertCanEditChannel,
  assertCanJoin,
  assertNotArchived,
  type Channel,
  forbidden,
  type Membership,
  notFound,
  ZChannelEventInput,
  ZChannelListInput,
  ZChannelRef,
  ZCreateChannelInput,
  ZInviteInput,
  ZMarkReadInput,
  ZRemoveMemberInput,
  ZUpdateChannelInput,
} from '@hubbub/core';
import {
  publishChanges,
  publishChannelSignal,
  readAccess,
  readableChannel,
  readableMessage,
  requireChannel,
} from '../channel-access';
import { ChannelStreamSource } from '../channel-stream-source';
import type { AppDeps } from '../context';
import { take } from '../limits';
import { ResumableStream } from '../resumable-stream';
import { protectedProcedure, router, writeProcedure } from '../trpc';
import { publishDirectory, publishUserEvents, tellUsers } from '../user-events';

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
  /**
   * The channels the caller can see, a page at a time: public ones and their private ones, archived last.
   * Each carries the caller's unread and mention counts (0 where not a member); a direct conversation
   * its people.
   */
  list: protectedProcedure.input(ZChannelListInput).query(async ({ input, ctx }) => {
    const limit = input?.limit ?? CHANNEL_PAGE;
    const { chat, people } = ctx.deps.stores;
    const items = await chat.listChannels(ctx.user.id, { after: parseChannelCursor(input?.cursor), limit });
    // Counted for this page's channels only: a long list read page by page counts each channel once.
    const states = await people.readStates(
      ctx.user.id,
      items.map((channel) => channel.id),
    );
    const counts = new Map(states.map((state) => [state.channelId, state]));
    const withCounts = await Promise.all(
      items.map(async (channel) => ({
        ...channel,
        unread: counts.get(channel.id)?.unread ?? 0,
        mentions: counts.get(channel.id)?.mentions ?? 0,
        /** The seq of the last message the caller read here (null where not a member): "New messages" starts after it. */
        readSeq: counts.get(channel.id)?.readSeq ?? null,
        people:
          channel.kind === 'dm'
            ? (await chat.members(channel.id)).map(({ userId, handle, displayName }) => ({
                userId,
                handle,
                displayName,
              }))
            : null,
      })),
    );
    const last = items.length === limit ? items.at(-1) : undefined;
    return { items: withCounts, nextCursor: last ? channelCursor(last) : null };
  }),

  create: writeProcedure.input(ZCreateChannelInput).mutation(async ({ input, ctx }) => {
    await take(ctx.deps.rateLimits.channelCreates, ctx.user.id, 'you have created many channels in the last hour');
    const { channel, events } = await ctx.deps.stores.chat.createChannel({ ...input, createdBy: ctx.user.id });
    await publishChanges(ctx.deps, ...events);
    await tellUsers(ctx.deps, [{ userId: ctx.user.id, change: { type: 'channel.joined', channel, by: null } }]);
    await publishDirectory(ctx.deps, channel);
    return channel;
  }),

  join: writeProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    assertCanJoin(await requireChannel(ctx.deps, input.channelId), ctx.user);
    const joined = await ctx.deps.stores.chat.join(input.channelId, ctx.user.id);
    await publishChanges(ctx.deps, joined);
    const channel = await requireChannel(ctx.deps, input.channelId);
    if (joined)
      await tellUsers(ctx.deps, [{ userId: ctx.user.id, change: { type: 'channel.joined', channel, by: null } }]);
    return channel;
  }),

  leave: writeProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    // Readable, not merely existing: leaving a private channel one is not in answers like a random id.
    await readAccess(ctx, input.channelId);
    const left = await ctx.deps.stores.chat.leave(input.channelId, ctx.user.id);
    await publishChanges(ctx.deps, left);
    const change = { type: 'channel.left' as const, channelId: input.channelId, by: null };
    if (left) await tellUsers(ctx.deps, [{ userId: ctx.user.id, change }]);
    return { channelId: input.channelId };
  }),

  /**
   * Adds people to a channel the caller is a member of (an admin: any channel); the people added see it
   * in their list at once. Not for direct conversations (their people are fixed: open another one).
   */
  invite: writeProcedure.input(ZInviteInput).mutation(async ({ input, ctx }) => {
    const { channel, membership } = await readableChannel(ctx, input.channelId);
    if (!membership && ctx.user.role !== 'admin') throw forbidden('only members can add people to this channel');
    if (channel.kind === 'dm') throw forbidden('a direct conversation keeps its people: open a new one instead');
    assertNotArchived(channel);
    const userIds = [...new Set(input.userIds)];
    const people = await Promise.all(userIds.map((id) => ctx.deps.stores.users.byId(id)));
    if (people.some((person) => !person)) throw notFound('user');
    const added: string[] = [];
    for (const userId of userIds) {
      const joined = await ctx.deps.stores.chat.join(channel.id, userId);
      await publishChanges(ctx.deps, joined);
      if (joined) added.push(userId);
    }
    const now = await requireChannel(ctx.deps, channel.id);
    await tellUsers(
      ctx.deps,
      added.map((userId) => ({ userId, change: { type: 'channel.joined', channel: now, by: ctx.user.id } })),
    );
    return { channel: now, added };
  }),

  /** Takes someone out of a channel: its owner or an admin (anyone can leave by themselves). */
  removeMember: writeProcedure.input(ZRemoveMemberInput).mutation(async ({ input, ctx }) => {
    const { channel, membership } = await readableChannel(ctx, input.channelId);
    if (channel.kind === 'dm') throw forbidden('a direct conversation keeps its people');
    if (input.userId !== ctx.user.id && ctx.user.role !== 'admin' && membership?.role !== 'owner') {
      throw forbidden('only the channel owner or an admin can remove people');
    }
    const left = await ctx.deps.stores.chat.leave(channel.id, input.userId);
    if (!left) throw notFound('member');
    await publishChanges(ctx.deps, left);
    const by = input.userId === ctx.user.id ? null : ctx.user.id;
    await tellUsers(ctx.deps, [{ userId: input.userId, change: { type: 'channel.left', channelId: channel.id, by } }]);
    return { channelId: channel.id, userId: input.userId };
  }),

  /**
   * Moves the caller's read position up to a message (never back): every tab and device of theirs hears
   * it on the user stream. Returns the counts after it.
   */
  markRead: protectedProcedure.input(ZMarkReadInput).mutation(async ({ input, ctx }) => {
    // Not a write to budget like a message (a reader moves it all day), but not free either: it counts as a read.
    await take(ctx.deps.rateLimits.reads, ctx.user.id, 'slow down: too many requests');
    const { message, membership } = await readableMessage(ctx, input.messageId);
    if (message.channelId !== input.channelId) throw notFound('message');
    if (!membership) throw forbidden('join the channel to keep a read position in it');
    const event = await ctx.deps.stores.people.markRead(ctx.user.id, input.channelId, message.seq);
    await publishUserEvents(ctx.deps, [event]);
    return event ? event.change : null;
  }),

  archive: writeProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    const { channel: current, membership } = await readableChannel(ctx, input.channelId);
    assertCanArchive(ctx.user, await asManager(ctx.deps, current, membership, ctx.user.id));
    const { channel, event } = await ctx.deps.stores.chat.archive(input.channelId);
    await publishChanges(ctx.deps, event);
    await publishDirectory(ctx.deps, channel);
    return channel;
  }),

  /** Makes an archived channel writable again: the same people as archive (its owner, an admin). */
  unarchive: writeProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    const { channel: current, membership } = await readableChannel(ctx, input.channelId);
    assertCanArchive(ctx.user, await asManager(ctx.deps, current, membership, ctx.user.id));
    if (!current.archivedAt) return current;
    const { channel, event } = await ctx.deps.stores.chat.unarchive(input.channelId);
    await publishChanges(ctx.deps, event);
    await publishDirectory(ctx.deps, channel);
    return channel;
  }),

  /** Renames a channel or sets its topic: its owner or an admin, while it is not archived. */
  update: writeProcedure.input(ZUpdateChannelInput).mutation(async ({ input, ctx }) => {
    const { channel: current, membership } = await readableChannel(ctx, input.channelId);
    assertCanEditChannel(ctx.user, await asManager(ctx.deps, current, membership, ctx.user.id));
    assertNotArchived(current);
    const { channel, event } = await ctx.deps.stores.chat.update(input.channelId, {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.topic !== undefined && { topic: input.topic || null }),
    });
    await publishChanges(ctx.deps, event);
    await publishDirectory(ctx.deps, channel);
    return channel;
  }),

  members: protectedProcedure.input(ZChannelRef).query(async ({ input, ctx }) => {
    await readAccess(ctx, input.channelId);
    const online = new Set(await ctx.deps.presence.online(input.channelId));
    const members = await ctx.deps.stores.chat.members(input.channelId);
    return members.map((m) => ({ ...m, online: online.has(m.userId) }));
  }),

  /** Ephemeral "is typing" notice; at most one per user and channel every 2 s reaches the others. */
  typing: protectedProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    const now = ctx.deps.clock.now();
    if (!ctx.deps.typingThrottle.pass(`${ctx.user.id}:${input.channelId}`, now)) return { sent: false };
    const { membership } = await readAccess(ctx, input.channelId);
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
    const { channel } = await readAccess(ctx, input.channelId);
    return new ResumableStream(
      { hub: ctx.deps.hub, limits: ctx.deps.limits, connection: ctx.connection, owner: ctx },
      new ChannelStreamSource(ctx.deps, input.channelId, channel.visibility, ctx.user.id),
      input.lastEventId,
      signal,
    );
  }),
});

/**
 * A person's conversation with agents only (a session) is theirs to rename and archive, as an
 * owner would; any other membership is what it is.
 */
async function asManager(
  deps: AppDeps,
  channel: Channel,
  membership: Membership | null,
  userId: string,
): Promise<Membership | null> {
  if (channel.kind !== 'dm' || !membership) return membership;
  const others = (await deps.stores.chat.members(channel.id)).filter((m) => m.userId !== userId);
  const agents = await deps.stores.agents.byUserIds(others.map((m) => m.userId));
  return others.length > 0 && agents.length === others.length ? { role: 'owner' } : membership;
}
