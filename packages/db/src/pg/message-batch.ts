import { assertCanPost, type MessageMeta, notFound } from '@hubbub/core';
import type postgres from 'postgres';
import type { newMessageRow } from '../chat-writes';
import { PRUNE_EVERY } from '../stream-log';

/**
 * The statements of a batch of plain sends (chat-store.ts's sendAll) on the batch's own connection
 * (group-commit.ts's runAll): two of fixed text however many sends, sent together behind BEGIN and before
 * COMMIT, so a batch is one round trip. Ids go as arrays (cast in SQL: postgres.js types an array by its first
 * element), rows as JSON.
 */

/**
 * Locks the channels' rows until commit in ascending id order (the lock order of one send; `for no key update`:
 * what their offsets' update takes anyway). Sent before writeSends: that statement starts once the locks are
 * held, so what it reads (memberships, the channels' state) cannot change before commit.
 */
export function lockChannels(sql: postgres.Sql, channelIds: string[]): Promise<unknown> {
  return sql`select 1 from channels where id = any(${channelIds}::text[]) order by id for no key update`.execute();
}

type MessageRow = ReturnType<typeof newMessageRow<MessageMeta | null>>;

/** One send of a batch: its message's row (its seq is the batch's to take) and what it needs besides. */
export interface SendToWrite {
  row: MessageRow;
  /** Whether the author must be allowed to post (assertCanPost): a member, the channel not archived. */
  checkPostAccess: boolean;
  /** Whom the message mentions (a mention row each). */
  mentions: readonly string[];
}

/** What the batch's statement found for one send, and its offset when it was stored. */
export interface SendVerdict {
  /** Whether the channel exists; the channel's state and the author's role in it when it does. */
  found: boolean;
  visibility: 'public' | 'private' | null;
  /** PostgreSQL's text of the time (only whether there is one matters to the access check). */
  archivedAt: string | null;
  role: 'owner' | 'member' | null;
  handle: string | null;
  displayName: string | null;
  /** The message's offset in its channel; null when it was not stored. */
  seq: number | null;
}

/** Why a send the statement did not store was refused: the error one alone would have met (assertCanPost). */
export function refusalOf(verdict: SendVerdict): unknown {
  if (!verdict.found || !verdict.visibility) return notFound('channel');
  try {
    assertCanPost(
      { visibility: verdict.visibility, archivedAt: verdict.archivedAt },
      verdict.role && { role: verdict.role },
    );
  } catch (error) {
    return error;
  }
  return new Error('a send its access allows was not stored');
}

/**
 * Serializes a batch's sends for writeSends (JSON.stringify: a value it refuses throws here, before anything is
 * sent).
 */
export function sendsJson(sends: readonly SendToWrite[]): string {
  return JSON.stringify(
    sends.map(({ row: m, checkPostAccess, mentions }) => ({
      id: m.id,
      channel_id: m.channelId,
      author_id: m.authorId,
      role: m.role,
      status: m.status,
      content: m.content,
      client_id: m.clientId,
      meta: m.meta,
      created_at: m.createdAt,
      thread_id: m.threadId,
      also_in_channel: m.alsoInChannel,
      check_access: checkPostAccess,
      mentions,
    })),
  );
}

/**
 * Checks and writes a batch of sends in one statement (after lockChannels). Each send is checked as one alone
 * would be: its channel must exist and, when its access is checked, its author be a member and the channel not
 * archived (core's assertCanPost, which the caller applies to a refused send's verdict for its error). The sends
 * that pass take their channels' next offsets in the batch's order; then the channels' heads, the messages, their
 * mentions and their `message.created` events (the event keeps the message's id, chat-events.ts) are written, and
 * the events pruned as appends at those offsets would (stream-log.ts's pruneThrough and PRUNE_EVERY). A retry (a
 * clientId its author already stored in the channel, or sent twice in the batch) is found by the messages' unique
 * index, as is an offset counted wrong: the statement fails, the transaction aborts, and the caller runs the
 * sends one by one, where a retry is answered by the earlier send's message. Found by the index itself, not by a
 * read of `messages`: a read's plan is made once per connection (generic plans) and, made while the table was
 * nearly empty, scanned the channel for every send once it had grown.
 */
export async function writeSends(
  sql: postgres.Sql,
  json: string,
  createdAt: string,
  retention: number,
): Promise<SendVerdict[]> {
  const statement = sql<(Omit<SendVerdict, 'seq'> & { seq: string | null })[]>`
    with sends as (
      select e.ord, m.id, m.channel_id, m.author_id, m.role, m.status, m.content, m.client_id, m.meta, m.created_at,
        m.thread_id, m.also_in_channel, (e.j->>'check_access')::boolean as check_access, e.j->'mentions' as mentions
      from json_array_elements(${json}::json) with ordinality as e(j, ord)
      cross join lateral json_populate_record(null::messages, e.j) as m
    ), checked as (
      select s.*, c.id is not null as found, c.visibility, c.archived_at, c.last_offset, cm.role as member_role,
        u.handle, u.display_name
      from sends s
      left join channels c on c.id = s.channel_id
      left join channel_members cm on cm.channel_id = s.channel_id and cm.user_id = s.author_id
      left join users u on u.id = s.author_id
    ), accepted as (
      select k.*, k.last_offset + row_number() over (partition by k.channel_id order by k.ord) as seq
      from checked k
      where k.found and (not k.check_access or (k.member_role is not null and k.archived_at is null))
    ), taken as (
      update channels c set last_offset = c.last_offset + t.count, last_message_at = ${createdAt}::timestamptz
      from (select channel_id, count(*) as count from accepted group by channel_id) as t where c.id = t.channel_id
    ), stored as (
      insert into messages (id, channel_id, seq, author_id, role, status, content, client_id, meta, created_at,
        thread_id, also_in_channel)
      select id, channel_id, seq, author_id, role, status, content, client_id, meta, created_at, thread_id,
        also_in_channel
      from accepted
    ), mentioned as (
      insert into mentions (user_id, message_id, channel_id, seq)
      select u.user_id, a.id, a.channel_id, a.seq
      from accepted a cross join lateral json_array_elements_text(a.mentions) as u(user_id)
    ), logged as (
      insert into channel_events (channel_id, "offset", type, message_id, created_at)
      select channel_id, seq, 'message.created', id, ${createdAt}::timestamptz from accepted
    ), pruned as (
      delete from channel_events e
      using (
        select channel_id, max(seq) - ${retention}::int as up_to from accepted
        where seq % ${PRUNE_EVERY}::int = 0 and seq > ${retention}::int group by channel_id
      ) as p
      where e.channel_id = p.channel_id and e."offset" <= p.up_to
    )
    select k.found, k.visibility, k.archived_at::text as "archivedAt", k.member_role as role, k.handle,
      k.display_name as "displayName", a.seq
    from checked k left join accepted a on a.ord = k.ord
    order by k.ord`;
  // Queued now, before the caller's COMMIT: awaiting a query is what sends it, a microtask too late.
  const rows = await statement.execute();
  return rows.map((r) => ({
    found: r.found,
    visibility: r.visibility,
    archivedAt: r.archivedAt,
    role: r.role,
    handle: r.handle,
    displayName: r.displayName,
    seq: r.seq === null ? null : Number(r.seq),
  }));
}
