import type { MessageMeta } from '@hubbub/core';
import type { newMessageRow } from '../chat-writes';
import { clientOf, type PgTx } from './open';

/**
 * The reads and writes of a batch of plain sends (chat-store.ts's sendAll), one statement each however many
 * sends: prepared statements of fixed text (open.ts's clientOf), a batch's rows passed as arrays. Every array
 * goes as text[] or bigint[] and is cast in SQL: postgres.js types an array by its first element (a boolean
 * array would go as a boolean).
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
    from channels where id = ${channelId} for no key update`;
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
    where u.id = any(${authorIds}::text[])`;
}

/** Stored messages of these channels carrying one of these clientIds (a retry's earlier send). */
export async function sendsWithClientIds(tx: PgTx, channelIds: string[], clientIds: string[]) {
  if (clientIds.length === 0) return [];
  return clientOf(tx)<{ channelId: string; authorId: string | null; clientId: string }[]>`
    select channel_id as "channelId", author_id as "authorId", client_id as "clientId" from messages
    where channel_id = any(${channelIds}::text[]) and client_id = any(${clientIds}::text[])`;
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
