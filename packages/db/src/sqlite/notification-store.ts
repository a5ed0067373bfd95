import { DEFAULT_NOTIFICATION_LEVEL, type NotificationStore } from '@hubbub/core';
import { and, eq, getTableColumns, inArray, isNull, ne } from 'drizzle-orm';
import {
  decodeVapidKeys,
  encodeVapidKeys,
  groupByRecipient,
  levelWants,
  subscriptionsBeyond,
  VAPID_META_KEY,
} from '../notification-rows';
import { inlineLimit } from './inline-limit';
import type { SqliteDb } from './open';
import { channelMembers, channelMutes, meta, notificationSettings, pushSubscriptions } from './schema';

const subscriptionColumns = getTableColumns(pushSubscriptions);

export function createSqliteNotificationStore(db: SqliteDb): NotificationStore {
  // Asked for every message sent: prepared once, not built and prepared per message.
  const anySubscription = db
    .select({ endpoint: pushSubscriptions.endpoint })
    .from(pushSubscriptions)
    .limit(inlineLimit(1))
    .prepare();
  return {
    async saveSubscription(input, { keepPerUser }) {
      db.transaction((tx) => {
        const row = { ...input, createdAt: new Date().toISOString() };
        tx.insert(pushSubscriptions)
          .values(row)
          .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: row })
          .run();
        const mine = tx
          .select({ endpoint: pushSubscriptions.endpoint, createdAt: pushSubscriptions.createdAt })
          .from(pushSubscriptions)
          .where(eq(pushSubscriptions.userId, input.userId))
          .all();
        const beyond = subscriptionsBeyond(mine, keepPerUser, input.endpoint);
        if (beyond.length > 0) tx.delete(pushSubscriptions).where(inArray(pushSubscriptions.endpoint, beyond)).run();
      });
    },
    async removeSubscription(endpoint, userId) {
      const { changes } = db
        .delete(pushSubscriptions)
        .where(and(eq(pushSubscriptions.endpoint, endpoint), eq(pushSubscriptions.userId, userId)))
        .run();
      return changes > 0;
    },
    async forgetSubscription(endpoint) {
      db.delete(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint)).run();
    },
    async subscriptionsOf(userId) {
      return db.select(subscriptionColumns).from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId)).all();
    },
    async settings(userId) {
      const row = db
        .select({ level: notificationSettings.level })
        .from(notificationSettings)
        .where(eq(notificationSettings.userId, userId))
        .get();
      const mutes = db
        .select({ channelId: channelMutes.channelId })
        .from(channelMutes)
        .where(eq(channelMutes.userId, userId))
        .all();
      return {
        level: row?.level ?? DEFAULT_NOTIFICATION_LEVEL,
        mutedChannelIds: mutes.map((m) => m.channelId).sort(),
      };
    },
    async setLevel(userId, level) {
      const row = { userId, level, updatedAt: new Date().toISOString() };
      db.insert(notificationSettings)
        .values(row)
        .onConflictDoUpdate({ target: notificationSettings.userId, set: row })
        .run();
    },
    async mute(userId, channelId) {
      db.insert(channelMutes).values({ userId, channelId }).onConflictDoNothing().run();
    },
    async unmute(userId, channelId) {
      db.delete(channelMutes)
        .where(and(eq(channelMutes.userId, userId), eq(channelMutes.channelId, channelId)))
        .run();
    },
    async vapidKeys(generate) {
      // Insert-if-absent, then read: whoever stored first wins, here and in any other process on this file.
      db.insert(meta)
        .values({ key: VAPID_META_KEY, value: encodeVapidKeys(generate()) })
        .onConflictDoNothing()
        .run();
      const row = db.select().from(meta).where(eq(meta.key, VAPID_META_KEY)).get();
      if (!row) throw new Error('the VAPID keys were not stored');
      return decodeVapidKeys(row.value);
    },
    async recipients(query) {
      // No browser subscribed at all (a new server, a benchmark): no per-member join for each message.
      if (!anySubscription.get()) return [];
      const rows = db
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
            eq(channelMembers.channelId, query.channelId),
            isNull(channelMutes.userId),
            query.authorId === null ? undefined : ne(channelMembers.userId, query.authorId),
            levelWants(notificationSettings.level, channelMembers.userId, query),
          ),
        )
        .all();
      return groupByRecipient(rows);
    },
  };
}
