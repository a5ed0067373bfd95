import { type PeopleStore, type ReadState, UNREAD_CAP, type UserChange, type UserStreamEvent } from '@hubbub/core';
import { sql } from 'drizzle-orm';
import type { PeopleStoreOptions } from '../store-options';
import { userStream } from '../streams';
import { isoNow } from '../time';
import type { PgHandle, PgTx } from './open';
import { channelMembers, channels, mentions, messages, pgTimestampToIso, readPositions } from './schema';
import { createPgStreamLog } from './stream-log';

/** Narrows a read to some channels (none at all for an empty list). */
const onlyChannels = (channelIds: readonly string[] | undefined) =>
  channelIds
    ? sql` and m.channel_id in (${sql.join([sql`null`, ...channelIds.map((id) => sql`${id}`)], sql`, `)})`
    : sql``;

/** Unread messages after `seq` (not one's own), counted up to UNREAD_CAP; mentions of the user after it. */
const countsAfter = (userId: unknown, channelId: unknown, seq: unknown) => ({
  unread: sql`(select count(*) from (select 1 from ${messages} x where x.channel_id = ${channelId}
    and x.seq > ${seq} and (x.author_id is null or x.author_id <> ${userId})
    and (x.thread_id is null or x.also_in_channel) limit ${UNREAD_CAP}) s)::int`,
  mentions: sql`(select count(*) from ${mentions} n where n.user_id = ${userId}
    and n.channel_id = ${channelId} and n.seq > ${seq})::int`,
});

/**
 * The PeopleStore on PostgreSQL. A user stream's head is the user row
 * (`UPDATE users SET last_event_offset = … RETURNING`, locked until commit),
 * so one transaction appending to several users takes their rows in id order.
 */
export function createPgPeopleStore(handle: PgHandle, options: PeopleStoreOptions = {}): PeopleStore {
  const { db, epoch } = handle;
  const log = createPgStreamLog(handle, userStream, options.retention);

  const appendTx = async (tx: PgTx, userId: string, change: UserChange): Promise<UserStreamEvent> => ({
    userId,
    offset: await log.append(tx, { userId, type: change.type, payload: change }),
    change,
  });

  return {
    epoch: () => epoch,

    async append(entries) {
      // Deadlock-free across instances: every writer locks user rows in the same order.
      const ordered = entries.map((entry, i) => ({ ...entry, i })).sort((a, b) => a.userId.localeCompare(b.userId));
      const stored = await db.transaction(async (tx) => {
        const out: (UserStreamEvent & { i: number })[] = [];
        for (const { userId, change, i } of ordered) out.push({ ...(await appendTx(tx, userId, change)), i });
        return out;
      });
      return stored.sort((a, b) => a.i - b.i).map(({ i: _, ...event }) => event);
    },

    async streamInfo(userId) {
      return log.info(userId);
    },

    async eventsAfter(userId, after, limit) {
      const rows = await log.after(db, userId, after, limit);
      return rows.map((row) => ({ userId, offset: row.offset, change: row.payload as UserChange }));
    },

    async markRead(userId, channelId, seq) {
      return db.transaction(async (tx) => {
        const moved = await tx
          .insert(readPositions)
          .values({ userId, channelId, seq, updatedAt: isoNow() })
          .onConflictDoUpdate({
            target: [readPositions.userId, readPositions.channelId],
            set: { seq, updatedAt: isoNow() },
            setWhere: sql`${readPositions.seq} < ${seq}`,
          })
          .returning({ seq: readPositions.seq });
        if (moved.length === 0) return null;
        const counts = countsAfter(userId, channelId, seq);
        const [after] = await tx.execute<{ unread: number; mentions: number }>(
          sql`select ${counts.unread} as unread, ${counts.mentions} as mentions`,
        );
        return appendTx(tx, userId, {
          type: 'channel.read',
          channelId,
          seq,
          unread: after?.unread ?? 0,
          mentions: after?.mentions ?? 0,
        });
      });
    },

    async readStates(userId, channelIds) {
      const counts = countsAfter(userId, sql`m.channel_id`, sql`coalesce(r.seq, 0)`);
      const rows = await db.execute<Omit<ReadState, 'readSeq' | 'headSeq'> & { readSeq: string; headSeq: string }>(
        sql`select m.channel_id as "channelId", c.kind as kind, coalesce(r.seq, 0) as "readSeq", c.last_offset as "headSeq",
            c.last_message_at as "lastMessageAt", ${counts.unread} as unread, ${counts.mentions} as mentions
          from ${channelMembers} m join ${channels} c on c.id = m.channel_id
          left join ${readPositions} r on r.user_id = m.user_id and r.channel_id = m.channel_id
          where m.user_id = ${userId}${onlyChannels(channelIds)}`,
      );
      return rows.map((row) => ({
        ...row,
        readSeq: Number(row.readSeq),
        headSeq: Number(row.headSeq),
        lastMessageAt: row.lastMessageAt ? pgTimestampToIso(row.lastMessageAt) : null,
      }));
    },
  };
}
