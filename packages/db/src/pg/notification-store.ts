import { DEFAULT_NOTIFICATION_LEVEL, type NotificationStore, type PushSubscriptionRecord } from '@hubbub/core';
import { and, eq, getTableColumns, inArray } from 'drizzle-orm';
import {
  decodeVapidKeys,
  encodeVapidKeys,
  groupByRecipient,
  subscriptionsBeyond,
  VAPID_META_KEY,
} from '../notification-rows';
import type { PgHandle } from './open';
import { channelMutes, meta, notificationSettings, pgTimestampToIso, pushSubscriptions, users } from './schema';

const subscriptionColumns = getTableColumns(pushSubscriptions);

export function createPgNotificationStore({ db, client }: Pick<PgHandle, 'db' | 'client'>): NotificationStore {
  return {
    async saveSubscription(input, { keepPerUser }) {
      await db.transaction(async (tx) => {
        // One person's saves take turns (their user row is the lock), so racing saves cannot pass the cap together.
        await tx.select({ id: users.id }).from(users).where(eq(users.id, input.userId)).for('update');
        const row = { ...input, createdAt: new Date().toISOString() };
        await tx
          .insert(pushSubscriptions)
          .values(row)
          .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: row });
        const mine = await tx
          .select({ endpoint: pushSubscriptions.endpoint, createdAt: pushSubscriptions.createdAt })
          .from(pushSubscriptions)
          .where(eq(pushSubscriptions.userId, input.userId));
        const beyond = subscriptionsBeyond(mine, keepPerUser, input.endpoint);
        if (beyond.length > 0) await tx.delete(pushSubscriptions).where(inArray(pushSubscriptions.endpoint, beyond));
      });
    },
    async removeSubscription(endpoint, userId) {
      const removed = await db
        .delete(pushSubscriptions)
        .where(and(eq(pushSubscriptions.endpoint, endpoint), eq(pushSubscriptions.userId, userId)))
        .returning({ endpoint: pushSubscriptions.endpoint });
      return removed.length > 0;
    },
    async forgetSubscription(endpoint) {
      await db.delete(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint));
    },
    async subscriptionsOf(userId) {
      return db.select(subscriptionColumns).from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId));
    },
    async settings(userId) {
      const [row] = await db
        .select({ level: notificationSettings.level })
        .from(notificationSettings)
        .where(eq(notificationSettings.userId, userId));
      const mutes = await db
        .select({ channelId: channelMutes.channelId })
        .from(channelMutes)
        .where(eq(channelMutes.userId, userId));
      return {
        level: row?.level ?? DEFAULT_NOTIFICATION_LEVEL,
        mutedChannelIds: mutes.map((m) => m.channelId).sort(),
      };
    },
    async setLevel(userId, level) {
      const row = { userId, level, updatedAt: new Date().toISOString() };
      await db
        .insert(notificationSettings)
        .values(row)
        .onConflictDoUpdate({ target: notificationSettings.userId, set: row });
    },
    async mute(userId, channelId) {
      await db.insert(channelMutes).values({ userId, channelId }).onConflictDoNothing();
    },
    async unmute(userId, channelId) {
      await db.delete(channelMutes).where(and(eq(channelMutes.userId, userId), eq(channelMutes.channelId, channelId)));
    },
    async vapidKeys(generate) {
      // Insert-if-absent, then read: every instance of a cluster ends with the pair stored first.
      await db
        .insert(meta)
        .values({ key: VAPID_META_KEY, value: encodeVapidKeys(generate()) })
        .onConflictDoNothing();
      const [row] = await db.select().from(meta).where(eq(meta.key, VAPID_META_KEY));
      if (!row) throw new Error('the VAPID keys were not stored');
      return decodeVapidKeys(row.value);
    },
    async recipients(query) {
      // One prepared statement of fixed text whatever the query (every send runs it, in the background): no
      // builder per call, and planned once per connection. Who wants what is levelWants (notification-rows.ts),
      // no level stored counting as 'mentions'; the exists() is a one-time filter: nobody subscribed, no join.
      const rows = await client<PushSubscriptionRecord[]>`
        select s.endpoint, s.user_id as "userId", s.p256dh, s.auth, s.created_at as "createdAt"
        from channel_members m
        join push_subscriptions s on s.user_id = m.user_id
        left join notification_settings n on n.user_id = m.user_id
        left join channel_mutes mu on mu.user_id = m.user_id and mu.channel_id = m.channel_id
        where exists (select 1 from push_subscriptions) and m.channel_id = ${query.channelId}
          and mu.user_id is null and (${query.authorId}::text is null or m.user_id <> ${query.authorId}::text)
          and case when ${query.isDirect}::boolean then coalesce(n.level, 'mentions') <> 'nothing'
            else n.level = 'all' or (coalesce(n.level, 'mentions') = 'mentions'
              and m.user_id = any(${[...query.mentionedUserIds]}::text[])) end`;
      return groupByRecipient(rows.map((row) => ({ ...row, createdAt: pgTimestampToIso(row.createdAt) })));
    },
  };
}
