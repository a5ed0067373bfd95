import { DEFAULT_NOTIFICATION_LEVEL, type NotificationStore } from '@hubbub/core';
import { and, eq, getTableColumns, inArray, isNull, ne } from 'drizzle-orm';
import {
  anySubscription,
  decodeVapidKeys,
  encodeVapidKeys,
  groupByRecipient,
  levelWants,
  subscriptionsBeyond,
  VAPID_META_KEY,
} from '../notification-rows';
import type { PgDb } from './open';
import { channelMembers, channelMutes, meta, notificationSettings, pushSubscriptions, users } from './schema';

const subscriptionColumns = getTableColumns(pushSubscriptions);

export function createPgNotificationStore(db: PgDb): NotificationStore {
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
      const rows = await db
        .select(subscriptionColumns)
        .from(channelMembers)
        .innerJoin(pushSubscriptions, eq(pushSubscriptions.userId, channelMembers.userId))
        .leftJoin(notificationSettings, eq(notificationSettings.userId, channelMembers.userId))
        .leftJoin(
          channelMutes,
          and(eq(channelMutes.userId, channelMembers.userId), eq(channelMutes.channelId, channelMembers.channelId)),
        )
        .where(
          and(
            anySubscription(pushSubscriptions),
            eq(channelMembers.channelId, query.channelId),
            isNull(channelMutes.userId),
            query.authorId === null ? undefined : ne(channelMembers.userId, query.authorId),
            levelWants(notificationSettings.level, channelMembers.userId, query),
          ),
        );
      return groupByRecipient(rows);
    },
  };
}
