import { type PeopleStore, type ReadState, UNREAD_CAP, type UserChange, type UserStreamEvent } from '@hubbub/core';
import { sql } from 'drizzle-orm';
import type { PeopleStoreOptions } from '../store-options';
import { userStream } from '../streams';
import { isoNow } from '../time';
import { inlineLimit } from './inline-limit';
import type { SqliteHandle, SqliteTx } from './open';
import { channelMembers, channels, mentions, messages, readPositions } from './schema';
import { createSqliteStreamLog } from './stream-log';

/** Narrows a read to some channels (none at all for an empty list). */
const onlyChannels = (channelIds: readonly string[] | undefined) =>
  channelIds
    ? sql` and m.channel_id in (${sql.join([sql`null`, ...channelIds.map((id) => sql`${id}`)], sql`, `)})`
    : sql``;

/**
 * Unread messages after `seq` (not one's own, not thread replies kept in their thread), counted up to
 * UNREAD_CAP; mentions of the user after it (a reply in their thread has a mention row too).
 */
const countsAfter = (userId: unknown, channelId: unknown, seq: unknown) => ({
  unread: sql<number>`(select count(*) from (select 1 from ${messages} x where x.channel_id = ${channelId}
    and x.seq > ${seq} and (x.author_id is null or x.author_id <> ${userId})
    and (x.thread_id is null or x.also_in_channel) limit ${inlineLimit(UNREAD_CAP)}))`,
  mentions: sql<number>`(select count(*) from ${mentions} n where n.user_id = ${userId}
    and n.channel_id = ${channelId} and n.seq > ${seq})`,
});

export function createSqlitePeopleStore(handle: SqliteHandle, options: PeopleStoreOptions = {}): PeopleStore {
  const { db, epoch } = handle;
  const log = createSqliteStreamLog(handle, userStream, options.retention);

  const appendTx = (tx: SqliteTx, userId: string, change: UserChange): UserStreamEvent => ({
    userId,
    offset: log.append(tx, { userId, type: change.type, payload: JSON.stringify(change) }),
    change,
  });

  return {
    epoch: () => epoch,

    async append(entries) {
      return db.transaction((tx) => entries.map(({ userId, change }) => appendTx(tx, userId, change)));
    },

    async streamInfo(userId) {
      return log.info(userId);
    },

    async eventsAfter(userId, after, limit) {
      return log.after(db, userId, after, limit).map((row) => ({
        userId,
        offset: row.offset,
        change: JSON.parse(row.payload) as UserChange,
      }));
    },

    async markRead(userId, channelId, seq) {
      return db.transaction((tx) => {
        const moved = tx
          .insert(readPositions)
          .values({ userId, channelId, seq, updatedAt: isoNow() })
          .onConflictDoUpdate({
            target: [readPositions.userId, readPositions.channelId],
            set: { seq, updatedAt: isoNow() },
            setWhere: sql`${readPositions.seq} < ${seq}`,
          })
          .returning({ seq: readPositions.seq })
          .get();
        if (!moved) return null;
        const counts = countsAfter(userId, channelId, seq);
        const after = tx.get<{ unread: number; mentions: number }>(
          sql`select ${counts.unread} as unread, ${counts.mentions} as mentions`,
        );
        return appendTx(tx, userId, { type: 'channel.read', channelId, seq, ...after });
      });
    },

    async readStates(userId, channelIds) {
      const counts = countsAfter(userId, sql`m.channel_id`, sql`coalesce(r.seq, 0)`);
      return db.all<ReadState>(
        sql`select m.channel_id as channelId, c.kind as kind, coalesce(r.seq, 0) as readSeq, c.last_offset as headSeq,
            c.last_message_at as lastMessageAt, ${counts.unread} as unread, ${counts.mentions} as mentions
          from ${channelMembers} m join ${channels} c on c.id = m.channel_id
          left join ${readPositions} r on r.user_id = m.user_id and r.channel_id = m.channel_id
          where m.user_id = ${userId}${onlyChannels(channelIds)}`,
      );
    },
  };
}
