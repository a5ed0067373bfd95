import type { MessageMeta } from '@hubbub/core';
import { mentionRowUsers, type newMessageRow } from '../chat-writes';
import { settledAll } from './group-commit';
import { clientOf, type PgTx } from './open';

/**
 * The reads and writes of a batch of plain sends (chat-store.ts's sendAll), one statement each however many
 * sends: prepared statements of fixed text (open.ts's clientOf), a batch's rows passed as arrays. Every array
 * goes as text[] or bigint[] and is cast in SQL: postgres.js types an array by its first element (a boolean
 * array would go as a boolean). Each is sent when called (.execute()), so statements reach the server in call
 * order: a batch's reads, then its writes, behind the group commit's savepoint.
 */

export interface ChannelHead {
  visibility: 'public' | 'private';
  archivedAt: string | null;
  lastOffset: number;
}

/** The channel's row, locked until commit (`for no key update`: what its offset's update takes anyway). */
export async function lockChannelHead(tx: PgTx, channelId: string): Promise<ChannelHead | undefined> {
  // The time stays PostgreSQL's text (only whether there is one matters to the access check).
  const [row] = await clientOf(tx)<(Omit<ChannelHead, 'lastOffset'> & { lastOffset: string })[]>`
    select visibility, archived_at as "archivedAt", last_offset as "lastOffset"
    from channels where id = ${channelId} for no key update`.execute();
  return row && { ...row, lastOffset: Number(row.lastOffset) };
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
export async function batchAuthors(tx: PgTx, authorIds: string[], channelIds: string[]): Promise<BatchAuthor[]> {
  if (authorIds.length === 0) return [];
  return clientOf(tx)<BatchAuthor[]>`
    select u.id as "userId", u.handle, u.display_name as "displayName", m.channel_id as "channelId", m.role
    from users u left join channel_members m on m.user_id = u.id and m.channel_id = any(${channelIds}::text[])
    where u.id = any(${authorIds}::text[])`.execute();
}

/** Stored messages of these channels carrying one of these clientIds (a retry's earlier send). */
export async function sendsWithClientIds(tx: PgTx, channelIds: string[], clientIds: string[]) {
  if (clientIds.length === 0) return [];
  return clientOf(tx)<{ channelId: string; authorId: string | null; clientId: string }[]>`
    select channel_id as "channelId", author_id as "authorId", client_id as "clientId" from messages
    where channel_id = any(${channelIds}::text[]) and client_id = any(${clientIds}::text[])`.execute();
}

type MessageRow = ReturnType<typeof newMessageRow<MessageMeta | null>>;

/** Inserts the messages in one statement; the ids of those stored (a clientId taken meanwhile stores nothing). */
export async function insertMessages(tx: PgTx, rows: readonly MessageRow[]): Promise<string[]> {
  const stored = await clientOf(tx)<{ id: string }[]>`
    insert into messages (id, channel_id, seq, author_id, role, status, content, client_id, meta, created_at,
      thread_id, also_in_channel)
    select id, channel_id, seq, author_id, role, status, content, client_id, meta::jsonb, created_at::timestamptz,
      thread_id, also_in_channel::boolean
    from unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.channelId)}::text[],
      ${rows.map((r) => r.seq)}::bigint[], ${rows.map((r) => r.authorId)}::text[], ${rows.map((r) => r.role)}::text[],
      ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.content)}::text[],
      ${rows.map((r) => r.clientId)}::text[], ${rows.map((r) => (r.meta === null ? null : JSON.stringify(r.meta)))}::text[],
      ${rows.map((r) => r.createdAt)}::text[], ${rows.map((r) => r.threadId)}::text[],
      ${rows.map((r) => (r.alsoInChannel ? 't' : 'f'))}::text[])
      as t(id, channel_id, seq, author_id, role, status, content, client_id, meta, created_at, thread_id,
        also_in_channel)
    on conflict do nothing
    returning id`;
  return stored.map((r) => r.id);
}

export interface MentionRow {
  userId: string;
  messageId: string;
  channelId: string;
  seq: number;
}

/** Inserts the mentions in one statement. */
export async function insertMentions(tx: PgTx, rows: readonly MentionRow[]): Promise<void> {
  if (rows.length === 0) return;
  await clientOf(tx)`
    insert into mentions (user_id, message_id, channel_id, seq)
    select * from unnest(${rows.map((r) => r.userId)}::text[], ${rows.map((r) => r.messageId)}::text[],
      ${rows.map((r) => r.channelId)}::text[], ${rows.map((r) => r.seq)}::bigint[])`;
}

/** A batch's messages in channel id order, each with its place among its channel's (1, 2, …). */
export interface PlacedRow {
  row: MessageRow;
  place: number;
}

/** Where the writes of a batch start: rolled back to when a send turns out refused. */
export const BATCH_WRITES = 'batch_writes';

/**
 * Every write of a batch of plain sends, sent right behind its reads (one round trip for both) on the
 * assumption that every send may go: a savepoint (BATCH_WRITES), the channels' offsets taken in id order
 * (each statement sent in call order: .execute()), the messages at their channel's taken offsets (counted
 * by the database: the last taken minus the batch's count plus their place), their events and mentions
 * copied from the stored messages, and the pruning a write at those offsets does (pruneThrough in
 * ../stream-log.ts: at each multiple of 100 beyond the retention, what is that far behind).
 */
export function writeAssumingAccepted(
  tx: PgTx,
  placed: readonly PlacedRow[],
  counts: readonly (readonly [string, number])[],
  stampAt: string,
  retention: number,
) {
  const client = clientOf(tx);
  const rows = placed.map((p) => p.row);
  const countOf = new Map(counts);
  // Encoded before anything is sent: a value JSON cannot hold throws with nothing of the batch on its way.
  const metas = rows.map((r) => (r.meta === null ? null : JSON.stringify(r.meta)));
  const savepoint = client.unsafe(`savepoint ${BATCH_WRITES}`).execute();
  const taken = counts.map(([channelId, count]) =>
    client<{ last: string }[]>`
      update channels set last_offset = last_offset + ${count}, last_message_at = ${stampAt}::timestamptz
      where id = ${channelId} returning last_offset as last`.execute(),
  );
  const inserted = client<{ id: string; seq: string }[]>`
    insert into messages (id, channel_id, seq, author_id, role, status, content, client_id, meta, created_at,
      thread_id, also_in_channel)
    select t.id, t.channel_id, c.last_offset - t.count + t.place, t.author_id, t.role, t.status, t.content,
      t.client_id, t.meta::jsonb, t.created_at::timestamptz, t.thread_id, t.also_in_channel::boolean
    from unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.channelId)}::text[],
      ${placed.map((p) => countOf.get(p.row.channelId) ?? 0)}::bigint[], ${placed.map((p) => p.place)}::bigint[],
      ${rows.map((r) => r.authorId)}::text[], ${rows.map((r) => r.role)}::text[],
      ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.content)}::text[],
      ${rows.map((r) => r.clientId)}::text[], ${metas}::text[],
      ${rows.map((r) => r.createdAt)}::text[], ${rows.map((r) => r.threadId)}::text[],
      ${rows.map((r) => (r.alsoInChannel ? 't' : 'f'))}::text[])
      as t(id, channel_id, count, place, author_id, role, status, content, client_id, meta, created_at, thread_id,
        also_in_channel)
    join channels c on c.id = t.channel_id
    on conflict do nothing
    returning id, seq`.execute();
  const ids = rows.map((r) => r.id);
  const events = client`
    insert into channel_events (channel_id, "offset", type, message_id, payload, created_at)
    select channel_id, seq, 'message.created', id, null, created_at from messages where id = any(${ids}::text[])`.execute();
  const mentioned = rows.flatMap((r) => mentionRowUsers(r.meta ?? undefined).map((userId) => [r.id, userId] as const));
  const mentions =
    mentioned.length === 0
      ? null
      : client`
    insert into mentions (user_id, message_id, channel_id, seq)
    select m.user_id, msg.id, msg.channel_id, msg.seq
    from unnest(${mentioned.map(([, userId]) => userId)}::text[], ${mentioned.map(([id]) => id)}::text[])
      as m(user_id, message_id)
    join messages msg on msg.id = m.message_id`.execute();
  const prunes = counts.map(([channelId, count]) =>
    client`
      delete from channel_events where channel_id = ${channelId} and "offset" <= (
        select last_offset / 100 * 100 - ${retention} from channels where id = ${channelId}
          and last_offset / 100 * 100 > last_offset - ${count} and last_offset / 100 * 100 > ${retention})`.execute(),
  );
  return settledAll([savepoint, settledAll(taken), inserted, events, mentions, settledAll(prunes)]).then(
    ([, lasts, stored]) => ({
      lasts: lasts.map(([row]) => (row ? Number(row.last) : null)),
      stored: stored.map((r) => ({ id: r.id, seq: Number(r.seq) })),
    }),
  );
}
