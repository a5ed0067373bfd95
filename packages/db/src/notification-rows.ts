import type { PostedMessageQuery, PushRecipient, PushSubscriptionRecord, VapidKeys } from '@hubbub/core';
import { and, type Column, eq, inArray, isNull, ne, or, type SQL, sql, type Table } from 'drizzle-orm';

/** The `meta` row holding the VAPID pair: one row, so the two halves can never come from different writers. */
export const VAPID_META_KEY = 'vapid_keys';

export const encodeVapidKeys = (keys: VapidKeys): string =>
  JSON.stringify({ publicKey: keys.publicKey, privateKey: keys.privateKey });

export function decodeVapidKeys(value: string): VapidKeys {
  const parsed = JSON.parse(value) as Partial<VapidKeys>;
  if (typeof parsed.publicKey !== 'string' || typeof parsed.privateKey !== 'string') {
    throw new Error(`the stored ${VAPID_META_KEY} are unreadable`);
  }
  return { publicKey: parsed.publicKey, privateKey: parsed.privateKey };
}

/** Subscriptions of one person beyond the newest `keep`, the one just saved always kept. */
export function subscriptionsBeyond(
  rows: readonly { endpoint: string; createdAt: string }[],
  keep: number,
  justSaved: string,
): string[] {
  const others = rows
    .filter((r) => r.endpoint !== justSaved)
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  return others.slice(Math.max(0, keep - 1)).map((r) => r.endpoint);
}

/** One row per (recipient, subscription) → one entry per recipient, in first-seen order. */
export function groupByRecipient(rows: readonly PushSubscriptionRecord[]): PushRecipient[] {
  const byUser = new Map<string, PushRecipient>();
  for (const row of rows) {
    let recipient = byUser.get(row.userId);
    if (!recipient) {
      recipient = { userId: row.userId, subscriptions: [] };
      byUser.set(row.userId, recipient);
    }
    recipient.subscriptions.push(row);
  }
  return [...byUser.values()];
}

/**
 * The person's level says yes to this message (core's notifications.ts): `all`, or `mentions` (also when no
 * level is stored) when it mentions them or is a direct conversation. `level` may be NULL (a left join).
 */
export function levelWants(level: Column, userId: Column, query: PostedMessageQuery): SQL | undefined {
  if (query.isDirect) return or(isNull(level), ne(level, 'nothing'));
  if (query.mentionedUserIds.length === 0) return eq(level, 'all');
  const mentionsLevel = or(isNull(level), eq(level, 'mentions'));
  return or(eq(level, 'all'), and(mentionsLevel, inArray(userId, [...query.mentionedUserIds])));
}

/**
 * True when anyone at all has subscribed. PostgreSQL evaluates it once, before the join (a one-time
 * filter), so a server where no browser subscribed pays nothing per message for the members' join.
 */
export const anySubscription = (subscriptions: Table): SQL => sql`exists (select 1 from ${subscriptions})`;
