import {
  DEFAULT_NOTIFICATION_LEVEL,
  type NotificationStore,
  type PostedMessageQuery,
  type PushSubscriptionRecord,
} from '@hubbub/core';
import { and, eq, getTableColumns, inArray } from 'drizzle-orm';
import type postgres from 'postgres';
import {
  decodeVapidKeys,
  encodeVapidKeys,
  groupByRecipient,
  subscriptionsBeyond,
  VAPID_META_KEY,
} from '../notification-rows';
import { createBatchedLookup } from './batched-lookup';
import type { PgHandle } from './open';
import { channelMutes, meta, notificationSettings, pgTimestampToIso, pushSubscriptions, users } from './schema';

const subscriptionColumns = getTableColumns(pushSubscriptions);

/** How long the recipients of posted messages are gathered before one statement asks for them all. */
const RECIPIENTS_GATHER_MS = 20;

export function createPgNotificationStore({ db, client }: Pick<PgHandle, 'db' | 'client'>): NotificationStore {
  // Every message posted asks; nobody waits on the answer (a push goes out a few ms later): a window gathers
  // a busy instance's lookups into a few statements a second.
  const lookUpRecipients = createBatchedLookup(
    (queries: readonly PostedMessageQuery[]) => recipientsOfMany(client, queries),
    { gatherMs: RECIPIENTS_GATHER_MS },
  );
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
    recipients: lookUpRecipients,
  };
}

type RecipientRow = PushSubscriptionRecord & { query: string };

/**
 * The recipients of many posted messages in one prepared statement (every send asks, in the background; a
 * burst shares it: batched-lookup.ts), an answer per query in order. Who wants what is levelWants
 * (notification-rows.ts), no level stored counting as 'mentions'; the exists() is a one-time filter: while
 * nobody at all has subscribed, no member is joined.
 */
async function recipientsOfMany(client: postgres.Sql, queries: readonly PostedMessageQuery[]) {
  const rows = await client<RecipientRow[]>`
    select q.n::text as query, s.endpoint, s.user_id as "userId", s.p256dh, s.auth, s.created_at as "createdAt"
    from unnest(${queries.map((q) => q.channelId)}::text[], ${queries.map((q) => q.authorId)}::text[],
        ${queries.map((q) => (q.isDirect ? 't' : 'f'))}::text[],
        ${queries.map((q) => JSON.stringify(q.mentionedUserIds))}::text[])
      with ordinality as q(channel_id, author_id, direct, mentioned, n)
    join channel_members m on m.channel_id = q.channel_id
    join push_subscriptions s on s.user_id = m.user_id
    left join notification_settings n on n.user_id = m.user_id
    left join channel_mutes mu on mu.user_id = m.user_id and mu.channel_id = m.channel_id
    where exists (select 1 from push_subscriptions) and mu.user_id is null
      and (q.author_id is null or m.user_id <> q.author_id)
      and case when q.direct::boolean then coalesce(n.level, 'mentions') <> 'nothing'
        else n.level = 'all' or (coalesce(n.level, 'mentions') = 'mentions' and q.mentioned::jsonb ? m.user_id) end`;
  const byQuery = queries.map((): PushSubscriptionRecord[] => []);
  for (const { query, createdAt, ...row } of rows) {
    byQuery[Number(query) - 1]?.push({ ...row, createdAt: pgTimestampToIso(createdAt) });
  }
  return byQuery.map(groupByRecipient);
}
