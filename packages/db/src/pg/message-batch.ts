import type { MessageMeta } from '@hubbub/core';
import type postgres from 'postgres';
import type { newMessageRow } from '../chat-writes';
import { pruneThrough } from '../stream-log';

/**
 * The reads and writes of a batch of plain sends (chat-store.ts's sendAll), one statement each however many
 * sends, on the batch's own connection (group-commit.ts's runAll): prepared statements of fixed text. The reads
 * take ids as arrays (cast in SQL: postgres.js types an array by its first element); the write takes its rows
 * as JSON, and is sent at once and not awaited (COMMIT follows it).
 */

export interface ChannelHead {
  id: string;
  visibility: 'public' | 'private';
  archivedAt: string | null;
  lastOffset: number;
}

/**
 * The channels' rows, locked until commit in ascending id order (the lock order of one send; `for no key update`:
 * what their offsets' update takes anyway). A channel that does not exist has none.
 */
export async function lockChannelHeads(sql: postgres.Sql, channelIds: string[]): Promise<ChannelHead[]> {
  // The time stays PostgreSQL's text (only whether there is one matters to the access check).
  const rows = await sql<(Omit<ChannelHead, 'lastOffset'> & { lastOffset: string })[]>`
    select id, visibility, archived_at as "archivedAt", last_offset as "lastOffset"
    from channels where id = any(${channelIds}::text[]) order by id for no key update`;
  return rows.map((row) => ({ ...row, lastOffset: Number(row.lastOffset) }));
}

export interface BatchAuthor {
  userId: string;
  handle: string;
  displayName: string;
  /** Their membership in `channelId`; null (both) when they are in none of the batch's channels. */
  channelId: string | null;
  role: 'owner' | 'member' | null;
}

/** The authors, each with their memberships in the batch's channels. */
export async function batchAuthors(
  sql: postgres.Sql,
  authorIds: string[],
  channelIds: string[],
): Promise<BatchAuthor[]> {
  if (authorIds.length === 0) return [];
  return sql<BatchAuthor[]>`
    select u.id as "userId", u.handle, u.display_name as "displayName", m.channel_id as "channelId", m.role
    from users u left join channel_members m on m.user_id = u.id and m.channel_id = any(${channelIds}::text[])
    where u.id = any(${authorIds}::text[])`;
}

/** Stored messages of these channels carrying one of these clientIds (a retry's earlier send). */
export async function sendsWithClientIds(sql: postgres.Sql, channelIds: string[], clientIds: string[]) {
  if (clientIds.length === 0) return [];
  return sql<{ channelId: string; authorId: string | null; clientId: string }[]>`
    select channel_id as "channelId", author_id as "authorId", client_id as "clientId" from messages
    where channel_id = any(${channelIds}::text[]) and client_id = any(${clientIds}::text[])`;
}

type MessageRow = ReturnType<typeof newMessageRow<MessageMeta | null>>;

/** What a batch of sends writes: its messages and who each one mentions. */
export interface SendsToWrite {
  messages: readonly MessageRow[];
  mentions: readonly { userId: string; messageId: string; channelId: string; seq: number }[];
  /** When the batch was written: its messages' time and their channels' last message. */
  createdAt: string;
}

/**
 * Writes a batch of sends in one statement: each channel's offsets taken (the head counted from its row, read
 * under lock in this transaction), the messages, their mentions and their `message.created` events (the event
 * keeps the message's id, chat-events.ts). The rows go as JSON, one parameter per table: serialized by
 * JSON.stringify before anything is sent (a value it refuses throws here), read by PostgreSQL's
 * json_populate_recordset. An offset counted wrong or a clientId taken meanwhile meets a unique index (events:
 * channel and offset; messages: channel and seq, channel, author and clientId): the transaction aborts. Then
 * the events pruned as appends at those offsets would (stream-log.ts's pruneThrough). Sent, not awaited.
 */
export function writeSends(sql: postgres.Sql, sends: SendsToWrite, retention: number): Promise<unknown>[] {
  const { messages, mentions, createdAt } = sends;
  const taken = new Map<string, number>();
  for (const m of messages) taken.set(m.channelId, (taken.get(m.channelId) ?? 0) + 1);
  const offsets = JSON.stringify([...taken].map(([id, count]) => ({ id, count })));
  const messageRows = JSON.stringify(
    messages.map((m) => ({
      id: m.id,
      channel_id: m.channelId,
      seq: m.seq,
      author_id: m.authorId,
      role: m.role,
      status: m.status,
      content: m.content,
      client_id: m.clientId,
      meta: m.meta,
      created_at: m.createdAt,
      thread_id: m.threadId,
      also_in_channel: m.alsoInChannel,
    })),
  );
  const mentionRows = JSON.stringify(
    mentions.map((m) => ({ user_id: m.userId, message_id: m.messageId, channel_id: m.channelId, seq: m.seq })),
  );
  const events = JSON.stringify(
    messages.map((m) => ({ channel_id: m.channelId, offset: m.seq, message_id: m.id, created_at: createdAt })),
  );
  const writes = [
    sql`
      with taken as (
        update channels c set last_offset = c.last_offset + t.count, last_message_at = ${createdAt}::timestamptz
        from json_to_recordset(${offsets}::json) as t(id text, count bigint) where c.id = t.id
      ), stored as (
        insert into messages (id, channel_id, seq, author_id, role, status, content, client_id, meta, created_at,
          thread_id, also_in_channel)
        select id, channel_id, seq, author_id, role, status, content, client_id, meta, created_at, thread_id,
          also_in_channel
        from json_populate_recordset(null::messages, ${messageRows}::json)
      ), mentioned as (
        insert into mentions (user_id, message_id, channel_id, seq)
        select user_id, message_id, channel_id, seq from json_populate_recordset(null::mentions, ${mentionRows}::json)
      )
      insert into channel_events (channel_id, "offset", type, message_id, created_at)
      select channel_id, "offset", 'message.created', message_id, created_at
      from json_populate_recordset(null::channel_events, ${events}::json)`.execute(),
  ];
  const prunes = new Map<string, number>();
  for (const m of messages) {
    const upTo = pruneThrough(m.seq, retention);
    if (upTo !== null) prunes.set(m.channelId, Math.max(upTo, prunes.get(m.channelId) ?? 0));
  }
  for (const [channelId, upTo] of prunes) {
    writes.push(sql`delete from channel_events where channel_id = ${channelId} and "offset" <= ${upTo}`.execute());
  }
  return writes;
}
