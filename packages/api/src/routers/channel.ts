import {
  assertCanArchive,
  assertCanJoin,
  type BusEvent,
  type ChannelEvent,
  formatEventId,
  planResume,
  ZChannelEventInput,
  ZChannelRef,
  ZCreateChannelInput,
} from '@hubbub/core';
import { tracked } from '@trpc/server';
import { publish, readableChannel, requireChannel, signal } from '../access';
import { CLOSE_CODES } from '../context';
import { protectedProcedure, router, writeProcedure } from '../trpc';

const TYPING_MS = 5000;
const BACKFILL_PAGE = 500;

export const channelRouter = router({
  list: protectedProcedure.query(({ ctx }) => ctx.stores.chat.listChannels(ctx.user.id)),

  create: writeProcedure.input(ZCreateChannelInput).mutation(async ({ input, ctx }) => {
    const { channel, events } = await ctx.stores.chat.createChannel({ ...input, createdBy: ctx.user.id });
    await publish(ctx, ...events);
    return channel;
  }),

  join: writeProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    assertCanJoin(await requireChannel(ctx, input.channelId), ctx.user);
    await publish(ctx, await ctx.stores.chat.join(input.channelId, ctx.user.id));
    return requireChannel(ctx, input.channelId);
  }),

  leave: writeProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    await requireChannel(ctx, input.channelId);
    await publish(ctx, await ctx.stores.chat.leave(input.channelId, ctx.user.id));
    return { channelId: input.channelId };
  }),

  archive: writeProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    const { membership } = await readableChannel(ctx, input.channelId);
    assertCanArchive(ctx.user, membership);
    const { channel, event } = await ctx.stores.chat.archive(input.channelId);
    await publish(ctx, event);
    return channel;
  }),

  members: protectedProcedure.input(ZChannelRef).query(async ({ input, ctx }) => {
    await readableChannel(ctx, input.channelId);
    const online = new Set(ctx.hub.online(input.channelId));
    const members = await ctx.stores.chat.members(input.channelId);
    return members.map((m) => ({ ...m, online: online.has(m.userId) }));
  }),

  /** Ephemeral "is typing" notice; at most one per user and channel every 2 s reaches the others. */
  typing: protectedProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    const now = ctx.clock.now();
    if (!ctx.typingThrottle.pass(`${ctx.user.id}:${input.channelId}`, now)) return { sent: false };
    const { membership } = await readableChannel(ctx, input.channelId);
    if (!membership) return { sent: false };
    await signal(ctx, input.channelId, {
      type: 'typing',
      userId: ctx.user.id,
      displayName: ctx.user.displayName,
      until: new Date(now + TYPING_MS).toISOString(),
    });
    return { sent: true };
  }),

  /**
   * The channel's live stream. Registers for live events first, then replays
   * what the caller missed from the store, then goes live, dropping anything
   * at or below the last offset delivered: no gap, no duplicate.
   */
  onEvent: protectedProcedure.input(ZChannelEventInput).subscription(async function* ({ input, ctx, signal: abort }) {
    const { channel } = await readableChannel(ctx, input.channelId);
    const chat = ctx.stores.chat;
    const sub = await ctx.hub.subscribe(channel.id, ctx.user.id);
    const stop = () => sub.close();
    abort?.addEventListener('abort', stop, { once: true });
    const epoch = chat.epoch();
    const id = (offset: number) => formatEventId(epoch, offset);

    /** Stored events after `from`, up to `to` (inclusive) when given. */
    async function* replay(from: number, to = Number.POSITIVE_INFINITY) {
      let after = from;
      for (;;) {
        const page = await chat.eventsAfter(channel.id, after, BACKFILL_PAGE);
        for (const event of page) {
          if (event.offset > to) return;
          after = event.offset;
          yield event;
        }
        if (page.length < BACKFILL_PAGE) return;
      }
    }

    try {
      const stream = await chat.streamInfo(channel.id);
      const plan = planResume(input.lastEventId, stream);
      let delivered = stream.head;
      if (plan.kind === 'reset') {
        yield tracked(id(stream.head), { type: 'reset' } as ChannelEvent);
      } else if (plan.kind === 'replay') {
        delivered = plan.after;
        for await (const event of replay(plan.after)) {
          delivered = event.offset;
          yield tracked(id(event.offset), event.change as ChannelEvent);
        }
      }
      // Ephemeral events carry the id of the last stored event, so every event
      // has one shape ({ id, data }) and a resume position is never moved by them.
      yield tracked(id(delivered), { type: 'presence', online: ctx.hub.online(channel.id) } as ChannelEvent);

      let slow = false;
      for (;;) {
        const next: BusEvent | null = await sub.queue.next();
        if (!next) break;
        // The socket is not draining: stop feeding it (memory stays bounded); the client resumes later.
        if (ctx.connection && ctx.connection.bufferedAmount() > ctx.limits.maxBufferedBytes) {
          slow = true;
          break;
        }
        if (next.kind === 'signal') {
          yield tracked(id(delivered), next.signal as ChannelEvent);
          continue;
        }
        const { offset, change } = next.event;
        if (offset <= delivered) continue;
        // A gap means the bus skipped or reordered: fill it from the store.
        if (offset > delivered + 1) {
          for await (const missed of replay(delivered, offset - 1)) {
            delivered = missed.offset;
            yield tracked(id(missed.offset), missed.change as ChannelEvent);
          }
        }
        delivered = offset;
        yield tracked(id(offset), change as ChannelEvent);
        // Leaving a private channel ends its stream.
        if (change.type === 'member.left' && change.userId === ctx.user.id && channel.visibility === 'private') break;
      }
      if (slow || sub.queue.ended === 'overflow') {
        ctx.connection?.close(CLOSE_CODES.slowConsumer, 'too slow: reconnect and resume');
      }
    } finally {
      abort?.removeEventListener('abort', stop);
      sub.close();
    }
  }),
});
