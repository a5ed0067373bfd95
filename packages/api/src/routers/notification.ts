import {
  AppError,
  PUSH_LIMITS,
  ZChannelRef,
  ZSetNotificationLevelInput,
  ZSubscribePushInput,
  ZUnsubscribePushInput,
} from '@hubbub/core';
import { readableChannel } from '../channel-access';
import { personWriteProcedure, protectedProcedure, router } from '../trpc';

/** Web Push subscriptions and what a person wants to be notified about (core's notifications.ts has the rules). */
export const notificationRouter = router({
  /** The key a browser's PushManager.subscribe needs (applicationServerKey); null when push is off here. */
  vapidPublicKey: protectedProcedure.query(({ ctx }) => ({ publicKey: ctx.deps.push.vapidPublicKey })),

  /**
   * Stores this browser's subscription for the caller (a browser moves to whoever subscribed last). The
   * endpoint must be a public https push service (the server will POST to it); a person keeps their newest
   * 10 browsers.
   */
  subscribePush: personWriteProcedure.input(ZSubscribePushInput).mutation(async ({ input, ctx }) => {
    const problem = ctx.deps.push.endpointProblem(input.endpoint);
    if (problem) throw new AppError('BAD_REQUEST', problem);
    await ctx.deps.stores.notifications.saveSubscription(
      { endpoint: input.endpoint, userId: ctx.user.id, p256dh: input.keys.p256dh, auth: input.keys.auth },
      { keepPerUser: PUSH_LIMITS.subscriptionsPerUser },
    );
    return null;
  }),

  /** Forgets the caller's subscription; someone else's endpoint is left alone (removed: false, like an unknown one). */
  unsubscribePush: personWriteProcedure.input(ZUnsubscribePushInput).mutation(async ({ input, ctx }) => ({
    removed: await ctx.deps.stores.notifications.removeSubscription(input.endpoint, ctx.user.id),
  })),

  /** The caller's level (all, mentions, nothing; default mentions) and muted channels. */
  settings: protectedProcedure.query(({ ctx }) => ctx.deps.stores.notifications.settings(ctx.user.id)),

  setLevel: personWriteProcedure.input(ZSetNotificationLevelInput).mutation(async ({ input, ctx }) => {
    await ctx.deps.stores.notifications.setLevel(ctx.user.id, input.level);
    return ctx.deps.stores.notifications.settings(ctx.user.id);
  }),

  /** No notifications from this channel, mentions included (a channel the caller cannot read is NOT_FOUND). */
  mute: personWriteProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    await readableChannel(ctx, input.channelId);
    await ctx.deps.stores.notifications.mute(ctx.user.id, input.channelId);
    return ctx.deps.stores.notifications.settings(ctx.user.id);
  }),

  /** Notifications from this channel again (also one the caller has since left: it only removes their own mute). */
  unmute: personWriteProcedure.input(ZChannelRef).mutation(async ({ input, ctx }) => {
    await ctx.deps.stores.notifications.unmute(ctx.user.id, input.channelId);
    return ctx.deps.stores.notifications.settings(ctx.user.id);
  }),
});
