import {
  AppError,
  assertCanPost,
  type ChannelChange,
  type ChatStore,
  formatEventId,
  type Member,
  type Message,
  type MessageMeta,
  type NewMessage,
  notFound,
  type StreamEvent,
  THREAD_LIMITS,
  type TodoItem,
} from '@hubbub/core';
import { and, asc, desc, eq, getTableColumns, gt, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { withAttachments } from '../attachments';
import { channelEventFields, channelEventsAfter } from '../chat-events';
import {
  asDeletedRoot,
  assertThreadRoot,
  type ChannelFields,
  deletedRootColumns,
  followersBefore,
  mentionRowUsers,
  messagePatchColumns,
  newChannelRow,
  newMessageRow,
  replyMeta,
  summaryAfterReply,
  summaryFromReplies,
  threadChange,
  threadFollowers,
} from '../chat-writes';
import { aroundItems, inOrder, newerPage, windowSides } from '../message-window';
import { newestFirstPage } from '../paging';
import { assertRoomFor, groupReactions, withReactions } from '../reactions';
import { runLater } from '../read-plan';
import { accessOf, asValue, sentMessage, toChannel, toMessage, toValue } from '../rows';
import type { ChatStoreOptions } from '../store-options';
import { DEFAULT_RETENTION } from '../stream-log';
import { channelStream } from '../streams';
import { isoNow } from '../time';
import { newTodoItems, todoWrite, toTodoList, withTodoStatus } from '../todo-rows';
import { pgAttachmentsOf, pgAttachPending } from './attachment-store';
import type { Outcome } from './batch-queue';
import { type BatchWriter, createGroupCommit, settledAll } from './group-commit';
import { lockChannels, refusalOf, sendsJson, writeSends } from './message-batch';
import { type PgDb, type PgHandle, type PgTx, SNAPSHOT } from './open';
import { channelMembers, channels, channelTodos, mentions, messages, reactions, readPositions, users } from './schema';
import { createPgStreamLog } from './stream-log';

type Db = PgDb | PgTx;
type SendResult = Awaited<ReturnType<ChatStore['sendMessage']>>;

const memberCount = sql<number>`(select count(*) from channel_members m where m.channel_id = ${channels.id})`.mapWith(
  Number,
);
const channelColumns = { ...getTableColumns(channels), memberCount };
// The search vector stays in the database: it is only matched against, never read.
const { search: _searchVector, ...messageTableColumns } = getTableColumns(messages);
const messageColumns = {
  ...messageTableColumns,
  authorHandle: users.handle,
  authorName: users.displayName,
};
/** A membership joined with its user: a Member as it is. */
const memberColumns = {
  userId: channelMembers.userId,
  handle: users.handle,
  displayName: users.displayName,
  role: channelMembers.role,
  joinedAt: channelMembers.joinedAt,
};

/** Thrown inside a send to roll it back when a concurrent send with the same clientId won. */
class DuplicateSend extends Error {}

/**
 * The ChatStore on PostgreSQL. Every change takes the channel's next offset
 * (log.next: `UPDATE channels SET last_offset = last_offset + 1 … RETURNING`)
 * in its transaction: the channel row stays locked until commit, so offsets
 * are gap-free and commit in order across instances. Sends share
 * transactions (group commit, below); every other change has its own.
 *
 * Lock order, to stay clear of deadlocks: message or membership row first, the
 * channel row last; of a thread, its root before its replies.
 */
/** The reactions of these messages, per message. */
async function reactionsOf(tx: Db, ids: string[]) {
  return groupReactions(
    ids.length === 0
      ? []
      : await tx
          .select()
          .from(reactions)
          .where(inArray(reactions.messageId, ids))
          .orderBy(asc(reactions.createdAt), sql`${reactions.userId} collate "C"`, sql`${reactions.emoji} collate "C"`),
  );
}

/** Messages as every read returns them (the chat store's and search's): with their reactions and their files. */
export async function hydrateMessages(tx: Db, list: Message[]): Promise<Message[]> {
  const ids = list.map((m) => m.id);
  return withAttachments(withReactions(list, await reactionsOf(tx, ids)), await pgAttachmentsOf(tx, ids));
}

export function createPgChatStore(handle: PgHandle, options: ChatStoreOptions = {}): ChatStore {
  const { db, epoch } = handle;
  const retention = options.retention ?? DEFAULT_RETENTION;
  const log = createPgStreamLog(handle, channelStream, retention);

  const getChannel = async (tx: Db, id: string) => {
    const [row] = await tx.select(channelColumns).from(channels).where(eq(channels.id, id));
    return row ? toChannel(row) : null;
  };
  const requireChannel = async (tx: Db, id: string) => {
    const channel = await getChannel(tx, id);
    if (!channel) throw notFound('channel');
    return channel;
  };
  const getMessage = async (tx: Db, id: string) => {
    const [row] = await tx
      .select(messageColumns)
      .from(messages)
      .leftJoin(users, eq(users.id, messages.authorId))
      .where(eq(messages.id, id));
    if (!row) return null;
    const [message] = await hydrateMessages(tx, [toMessage(row, asValue)]);
    return message ?? null;
  };
  /** A message shows in its channel's list unless it is a thread reply not also sent there. */
  const inMainList = or(isNull(messages.threadId), eq(messages.alsoInChannel, true));
  /** Up to `count` of the channel's listed messages older than `seq` (newest first) or newer (oldest first). */
  const listedBeside = async (tx: Db, channelId: string, seq: number, side: 'older' | 'newer', count: number) => {
    const rows = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(
        and(
          eq(messages.channelId, channelId),
          side === 'older' ? lt(messages.seq, seq) : gt(messages.seq, seq),
          inMainList,
        ),
      )
      .orderBy(side === 'older' ? desc(messages.seq) : asc(messages.seq))
      .limit(count);
    const ids = rows.map((row) => row.id);
    // Hydrated like every read (reactions and all), then back in the order read.
    return inOrder(ids, ids.length === 0 ? [] : await messagesWithIds(tx, ids));
  };
  /** history with `after`: the `limit` listed messages just newer than `after`, newest first. */
  const newerThan = (channelId: string, after: number, limit: number) =>
    db.transaction(async (tx) => {
      const channel = await requireChannel(tx, channelId);
      const rows = await listedBeside(tx, channelId, after, 'newer', limit + 1);
      const oldest = rows[0]?.seq ?? after + 1;
      const olderExists = await tx
        .select({ seq: messages.seq })
        .from(messages)
        .where(and(eq(messages.channelId, channelId), lt(messages.seq, oldest), inMainList))
        .limit(1);
      return {
        ...newerPage(rows, limit, after, olderExists.length > 0),
        eventId: formatEventId(epoch, channel.lastOffset),
      };
    }, SNAPSHOT);
  const getMember = async (tx: Db, channelId: string, userId: string): Promise<Member | null> => {
    const [row] = await tx
      .select(memberColumns)
      .from(channelMembers)
      .innerJoin(users, eq(users.id, channelMembers.userId))
      .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, userId)));
    return row ?? null;
  };
  const messagesWithIds = async (tx: Db, ids: string[]) => {
    const rows = await tx
      .select(messageColumns)
      .from(messages)
      .leftJoin(users, eq(users.id, messages.authorId))
      .where(inArray(messages.id, ids));
    return hydrateMessages(
      tx,
      rows.map((row) => toMessage(row, asValue)),
    );
  };

  /**
   * May the author post here (the channel, their membership), and who they are: read in the send's transaction
   * after the channel lock, so a leave or an archive commits either before it (refused) or after the message.
   */
  const postAccess = async (tx: Db, input: NewMessage) => {
    const [access] = await tx
      .select({
        visibility: channels.visibility,
        archivedAt: channels.archivedAt,
        role: channelMembers.role,
        authorHandle: users.handle,
        authorName: users.displayName,
      })
      .from(channels)
      .leftJoin(
        channelMembers,
        and(eq(channelMembers.channelId, channels.id), eq(channelMembers.userId, input.authorId ?? '')),
      )
      .leftJoin(users, eq(users.id, input.authorId ?? ''))
      .where(eq(channels.id, input.channelId));
    if (!access) throw notFound('channel');
    if (input.checkPostAccess) assertCanPost(access, access.role ? { role: access.role } : null);
    return access;
  };

  /** Appends a change at `offset`, taken in this transaction (log.next). */
  const appendAt = async (tx: PgTx, channelId: string, offset: number, change: ChannelChange) => {
    await log.write(tx, offset, channelEventFields(channelId, change, toValue));
    const event: StreamEvent = { channelId, offset, change };
    return event;
  };
  const append = async (tx: PgTx, channelId: string, change: ChannelChange) =>
    appendAt(tx, channelId, await log.next(tx, channelId), change);

  /** Changes a channel's own fields (archive, unarchive, rename, topic); the event carries the channel as it commits. */
  const changeChannel = (channelId: string, set: ChannelFields) =>
    db.transaction(async (tx) => {
      // The offset first: it locks the row, so the snapshot in the event is the one that commits.
      const offset = await log.next(tx, channelId);
      await tx.update(channels).set(set).where(eq(channels.id, channelId));
      const channel = await requireChannel(tx, channelId);
      return { channel, event: await appendAt(tx, channelId, offset, { type: 'channel.updated', channel }) };
    });

  /**
   * The channel's plan as stored (no row: none yet), locked until commit: a plan's writers take its row
   * first and the channel row last (log.next), so concurrent ticks apply one after the other, none lost.
   */
  const lockTodosRow = async (tx: PgTx, channelId: string) => {
    const [row] = await tx.select().from(channelTodos).where(eq(channelTodos.channelId, channelId)).for('update');
    return row;
  };
  /** Stores the channel's plan whole, with its todo.updated event (NOT_FOUND for no such channel: log.next). */
  const writeTodos = async (tx: PgTx, channelId: string, items: TodoItem[], by: string) => {
    const offset = await log.next(tx, channelId);
    const { todos, row } = todoWrite(channelId, items, by, (list) => list);
    const { channelId: _key, ...set } = row;
    await tx.insert(channelTodos).values(row).onConflictDoUpdate({ target: channelTodos.channelId, set });
    return { todos, event: await appendAt(tx, channelId, offset, { type: 'todo.updated', todos }) };
  };

  const joinTx = async (tx: PgTx, channelId: string, userId: string, role: Member['role']) => {
    if (await getMember(tx, channelId, userId)) return null;
    // Checked here: the foreign key would otherwise surface as a raw PostgresError.
    if ((await tx.select({ id: users.id }).from(users).where(eq(users.id, userId))).length === 0) {
      throw notFound('user');
    }
    // A concurrent join of the same user waits on the key here and then does nothing: one member.joined.
    const inserted = await tx
      .insert(channelMembers)
      .values({ channelId, userId, role, joinedAt: isoNow() })
      .onConflictDoNothing()
      .returning({ userId: channelMembers.userId });
    if (inserted.length === 0) return null;
    const member = await getMember(tx, channelId, userId);
    if (!member) throw notFound('user');
    const event = await append(tx, channelId, { type: 'member.joined', member });
    // A new member has read everything before they came.
    const position = { seq: event.offset, updatedAt: member.joinedAt };
    await tx
      .insert(readPositions)
      .values({ userId, channelId, ...position })
      .onConflictDoUpdate({ target: [readPositions.userId, readPositions.channelId], set: position });
    return event;
  };

  /** Locks a thread's root (before the channel row) and finds who the reply tells (its followers: chat-writes.ts). */
  const lockThreadRoot = async (tx: PgTx, input: NewMessage) => {
    if (!input.threadId) return null;
    const [root] = await tx
      .select({
        id: messages.id,
        channelId: messages.channelId,
        threadId: messages.threadId,
        authorId: messages.authorId,
        replyCount: messages.replyCount,
        repliers: messages.repliers,
      })
      .from(messages)
      .where(eq(messages.id, input.threadId))
      .for('update', { of: messages });
    assertThreadRoot(root, input.channelId);
    const [latest] = await tx
      .select({ authorId: messages.authorId, meta: messages.meta })
      .from(messages)
      .where(eq(messages.threadId, input.threadId))
      .orderBy(desc(messages.seq))
      .limit(1);
    const earlier = followersBefore(
      latest && { authorId: latest.authorId, meta: asValue(latest.meta) as MessageMeta | null },
    );
    if (!root) return null;
    const summary = { replyCount: root.replyCount, repliers: (asValue(root.repliers) as string[] | null) ?? [] };
    return { id: root.id, summary, followers: threadFollowers(root.authorId, earlier, input.authorId) };
  };

  /** A locked root's summary after a reply came (one more, this one newest), from what the send read of it. */
  const addReply = async (
    tx: PgTx,
    root: { id: string; summary: { replyCount: number; repliers: string[] } },
    reply: Message,
  ) => {
    const { columns, thread } = summaryAfterReply(root.summary, reply, toValue);
    await tx.update(messages).set(columns).where(eq(messages.id, root.id));
    return append(tx, reply.channelId, { type: 'thread.updated', messageId: root.id, thread });
  };

  /** A locked root's summary recounted from the replies left (after a delete). */
  const recountReplies = async (tx: PgTx, rootId: string) => {
    const inThread = eq(messages.threadId, rootId);
    const [counted] = await tx
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(messages)
      .where(inThread);
    const [newest] = await tx
      .select({ createdAt: messages.createdAt })
      .from(messages)
      .where(inThread)
      .orderBy(desc(messages.seq))
      .limit(1);
    const latest = await tx
      .select({ authorId: messages.authorId })
      .from(messages)
      .where(and(inThread, isNotNull(messages.authorId)))
      .groupBy(messages.authorId)
      .orderBy(desc(sql`max(${messages.seq})`))
      .limit(THREAD_LIMITS.repliers);
    const columns = summaryFromReplies(
      { count: counted?.n ?? 0, lastReplyAt: newest?.createdAt ?? null },
      latest.flatMap((r) => (r.authorId ? [r.authorId] : [])),
      toValue,
    );
    await tx.update(messages).set(columns).where(eq(messages.id, rootId));
    const root = await getMessage(tx, rootId);
    return root ? append(tx, root.channelId, threadChange(root)) : null;
  };

  type RetryKey = { channelId: string; authorId: string | null; clientId: string };
  /** The id of this author's earlier send with this clientId in the channel, if any. */
  const earlierSendId = async (tx: Db, input: RetryKey) => {
    const [previous] = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(
        and(
          eq(messages.channelId, input.channelId),
          // The unique index's own term (a NULL author counts as one author): a probe, not a scan of the channel.
          sql`coalesce(${messages.authorId}, '') = ${input.authorId ?? ''}`,
          eq(messages.clientId, input.clientId),
        ),
      );
    return previous?.id ?? null;
  };
  const findByClientId = async (tx: Db, input: RetryKey) => {
    const id = await earlierSendId(tx, input);
    return id ? getMessage(tx, id) : null;
  };

  /** A batch's thread roots, locked in id order before any channel row (the lock order: roots, then channels). */
  const lockRootsInOrder = async (tx: PgTx, batch: readonly NewMessage[]) => {
    const roots = [...new Set(batch.flatMap((input) => (input.threadId ? [input.threadId] : [])))];
    if (roots.length === 0) return;
    await tx
      .select({ id: messages.id })
      .from(messages)
      .where(inArray(messages.id, roots))
      .orderBy(asc(messages.id))
      .for('update', { of: messages });
  };

  /**
   * One send in a batch's transaction, in its own savepoint (group-commit.ts). Statements that need no answer
   * from each other go to the server together: the offset and the access check; then the message, its mentions,
   * files and event. The message is built, not read back. A retry is found by the unique index when the message
   * is inserted: it throws DuplicateSend (its savepoint takes the offset back: the stream stays gap-free) and is
   * answered by sendInBatch.
   */
  const sendOne = async (tx: PgTx, input: NewMessage): Promise<SendResult> => {
    // A thread's root is locked first (lock order): replies to it count one after the other.
    const root = await lockThreadRoot(tx, input);
    const meta = root ? replyMeta(input.meta, root.followers) : input.meta;
    const createdAt = isoNow();
    const { clientId } = input;
    const [offset, access] = await settledAll([
      log.next(tx, input.channelId, createdAt),
      // After the channel lock (log.next): a leave or an archive commits either before it (refused) or after.
      input.authorId === null && !input.checkPostAccess ? null : postAccess(tx, input),
    ]);
    const row = newMessageRow({ ...input, meta }, offset, createdAt, toValue);
    const inserted = tx.insert(messages).values(row).onConflictDoNothing().returning({ id: messages.id }).execute();
    // The unique (channel, author, clientId) index finds a retry, of an earlier send or a racing one: it inserts
    // nothing. Without a clientId nothing can collide, so the rows that point at the message go along with it.
    if (clientId && (await inserted).length === 0) throw new DuplicateSend();
    const author = { authorHandle: access?.authorHandle ?? null, authorName: access?.authorName ?? null };
    const stored = sentMessage(row, author, asValue);
    const mentioned = mentionRowUsers(meta);
    const [, files] = await settledAll([
      inserted,
      input.attachmentIds?.length
        ? pgAttachPending(tx, {
            ids: input.attachmentIds,
            messageId: row.id,
            uploaderId: input.authorId ?? '',
            channelId: input.channelId,
          })
        : [],
      mentioned.length > 0
        ? tx
            .insert(mentions)
            .values(mentioned.map((userId) => ({ userId, messageId: row.id, channelId: input.channelId, seq: offset })))
            .execute()
        : null,
      // The event keeps the message's id only (chat-events.ts): it need not wait for the files.
      log.write(tx, offset, channelEventFields(input.channelId, { type: 'message.created', message: stored }, toValue)),
    ]);
    const message = files.length > 0 ? { ...stored, attachments: files } : stored;
    const event: StreamEvent = { channelId: input.channelId, offset, change: { type: 'message.created', message } };
    return root ? { message, event, threadEvent: await addReply(tx, root, message) } : { message, event };
  };

  /**
   * A whole batch of plain sends (no thread, no files) in one round trip whatever its size
   * (group-commit.ts's runAll): each channel's row locked (ascending ids), then one statement that checks each send
   * as one alone would be and writes those that pass (message-batch.ts). A refused send writes nothing and fails
   * alone. Null when the batch is not all plain; a retry (of a stored send or of one in the batch: the unique index
   * refuses it), or anything unexpected, fails the statement, and the sends run one by one instead.
   */
  const sendAll = (batch: readonly NewMessage[]): BatchWriter<SendResult> | null => {
    if (!batch.every((input) => !input.threadId && !input.attachmentIds?.length)) return null;
    const createdAt = isoNow();
    // Each row's seq is the statement's to take.
    const rows = batch.map((input) => newMessageRow(input, 0, createdAt, toValue));
    const json = sendsJson(
      batch.map((input, i) => ({
        row: rows[i] as (typeof rows)[number],
        checkPostAccess: Boolean(input.checkPostAccess),
        mentions: mentionRowUsers(input.meta),
      })),
    );
    const channelIds = [...new Set(batch.map((input) => input.channelId))];
    return async (sql) => {
      const [, verdicts] = await settledAll([
        lockChannels(sql, channelIds),
        writeSends(sql, json, createdAt, retention),
      ]);
      return verdicts.map((verdict, i): Outcome<SendResult> => {
        const row = rows[i] as (typeof rows)[number];
        if (verdict.seq === null) return { ok: false, error: refusalOf(verdict) };
        row.seq = verdict.seq;
        const message = sentMessage(row, { authorHandle: verdict.handle, authorName: verdict.displayName }, asValue);
        const event: StreamEvent = {
          channelId: row.channelId,
          offset: row.seq,
          change: { type: 'message.created', message },
        };
        return { ok: true, value: { message, event } };
      });
    };
  };

  /**
   * Sends share transactions (group commit: group-commit.ts), each in its own savepoint. A batch takes its
   * channels in id order, and before a channel's row the thread roots its replies lock: the lock order of one
   * send (root, then channel), held across the batch, so batches on several instances cannot deadlock.
   */
  const sendInBatch = createGroupCommit<NewMessage, SendResult>(db, sendOne, {
    order: (a, b) => (a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : 0),
    prepare: lockRootsInOrder,
    runAll: sendAll,
    // A retry of an earlier send (same clientId): its savepoint is gone, the earlier send's message answers.
    afterRollback: async (tx, input, error) => {
      const message =
        error instanceof DuplicateSend && input.clientId
          ? await findByClientId(tx, { ...input, clientId: input.clientId })
          : null;
      if (!message) throw error;
      return { message, event: null };
    },
  });

  return {
    epoch: () => epoch,

    async todos(channelId) {
      return db.transaction(async (tx) => {
        await requireChannel(tx, channelId);
        const [row] = await tx.select().from(channelTodos).where(eq(channelTodos.channelId, channelId));
        return toTodoList(channelId, row, asValue);
      }, SNAPSHOT);
    },

    async replaceTodos(channelId, items, by) {
      return db.transaction(async (tx) => {
        await lockTodosRow(tx, channelId);
        return writeTodos(tx, channelId, newTodoItems(items), by);
      });
    },

    async setTodoStatus(channelId, id, status, by) {
      return db.transaction(async (tx) => {
        const row = await lockTodosRow(tx, channelId);
        if (!row) await requireChannel(tx, channelId);
        const items = withTodoStatus(toTodoList(channelId, row, asValue).items, id, status);
        return writeTodos(tx, channelId, items, by);
      });
    },

    async createChannel(input) {
      return db.transaction(async (tx) => {
        const [created] = await tx
          .insert(channels)
          .values(newChannelRow(input))
          .onConflictDoNothing({ target: channels.slug })
          .returning({ id: channels.id });
        if (!created) throw new AppError('CONFLICT', `a channel named #${input.slug} exists already`);
        const events: StreamEvent[] = [];
        if (input.createdBy) {
          const joined = await joinTx(tx, created.id, input.createdBy, 'owner');
          if (joined) events.push(joined);
        }
        return { channel: await requireChannel(tx, created.id), events };
      });
    },

    async openDirect({ userIds, ...input }) {
      return db.transaction(async (tx) => {
        const row = newChannelRow({ ...input, kind: 'dm' });
        // Two opens of the same conversation at once: the second waits on the key here and finds the first's.
        const inserted = await tx
          .insert(channels)
          .values(row)
          .onConflictDoNothing({ target: channels.dmKey })
          .returning({ id: channels.id });
        if (inserted.length === 0) {
          const [found] = await tx.select({ id: channels.id }).from(channels).where(eq(channels.dmKey, input.dmKey));
          if (!found) throw notFound('channel');
          return { channel: await requireChannel(tx, found.id), created: false };
        }
        for (const userId of userIds) await joinTx(tx, row.id, userId, 'member');
        return { channel: await requireChannel(tx, row.id), created: true };
      });
    },

    async channelById(id) {
      return getChannel(db, id);
    },

    async access(channelId, userId) {
      const [row] = await db
        .select({ visibility: channels.visibility, archivedAt: channels.archivedAt, role: channelMembers.role })
        .from(channels)
        .leftJoin(channelMembers, and(eq(channelMembers.channelId, channels.id), eq(channelMembers.userId, userId)))
        .where(eq(channels.id, channelId));
      return row ? accessOf(row) : null;
    },

    async channelBySlug(slug) {
      const [row] = await db.select(channelColumns).from(channels).where(eq(channels.slug, slug));
      return row ? toChannel(row) : null;
    },

    async listChannels(userId, page = {}) {
      const mine = sql`exists (select 1 from channel_members m where m.channel_id = ${channels.id} and m.user_id = ${userId})`;
      const archived = sql`(${channels.archivedAt} is not null)`;
      // Byte order, like SQLite, whatever the database's collation.
      const slug = sql`${channels.slug} collate "C"`;
      const { after } = page;
      const afterCursor = after
        ? sql`(${archived} > ${after.archived} or (${archived} = ${after.archived} and ${slug} > ${after.slug}))`
        : undefined;
      const query = db
        .select({ ...channelColumns, joined: sql<boolean>`${mine}` })
        .from(channels)
        .where(and(or(eq(channels.visibility, 'public'), mine), afterCursor))
        .orderBy(archived, slug);
      const rows = await (page.limit ? query.limit(page.limit) : query);
      return rows.map((row) => ({ ...toChannel(row), joined: Boolean(row.joined) }));
    },

    async membership(channelId, userId) {
      return getMember(db, channelId, userId);
    },

    async members(channelId) {
      return db
        .select(memberColumns)
        .from(channelMembers)
        .innerJoin(users, eq(users.id, channelMembers.userId))
        .where(eq(channelMembers.channelId, channelId))
        .orderBy(sql`${users.handle} collate "C"`);
    },

    async join(channelId, userId, role = 'member') {
      return db.transaction(async (tx) => {
        await requireChannel(tx, channelId);
        return joinTx(tx, channelId, userId, role);
      });
    },

    async leave(channelId, userId) {
      return db.transaction(async (tx) => {
        const [removed] = await tx
          .delete(channelMembers)
          .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, userId)))
          .returning({ userId: channelMembers.userId });
        if (!removed) return null;
        await tx
          .delete(readPositions)
          .where(and(eq(readPositions.userId, userId), eq(readPositions.channelId, channelId)));
        return append(tx, channelId, { type: 'member.left', userId });
      });
    },

    archive: (channelId) => changeChannel(channelId, { archivedAt: isoNow() }),
    unarchive: (channelId) => changeChannel(channelId, { archivedAt: null }),
    update: (channelId, patch) => changeChannel(channelId, patch),

    sendMessage: (input) => sendInBatch(input),

    async streamingMessages() {
      const rows = await db
        .select(messageColumns)
        .from(messages)
        .leftJoin(users, eq(users.id, messages.authorId))
        .where(eq(messages.status, 'streaming'))
        .orderBy(asc(messages.createdAt));
      return rows.map((row) => toMessage(row, asValue));
    },

    async messageById(id) {
      return getMessage(db, id);
    },

    async editMessage(id, patch) {
      return db.transaction(async (tx) => {
        // Locks the message: concurrent edits merge their meta one after the other.
        const [locked] = await tx
          .select({ id: messages.id })
          .from(messages)
          .where(eq(messages.id, id))
          .for('update', { of: messages });
        const before = locked ? await getMessage(tx, id) : null;
        if (!before) throw notFound('message');
        await tx
          .update(messages)
          .set(messagePatchColumns(before, patch, toValue))
          .where(eq(messages.id, id));
        const message = await getMessage(tx, id);
        if (!message) throw notFound('message');
        return { message, event: await append(tx, message.channelId, { type: 'message.updated', message }) };
      });
    },

    /** A root takes its replies with it; a reply's root is recounted. */
    async deleteMessage(id) {
      return db.transaction(async (tx) => {
        // Lock order: a reply's root first (a thread id never changes), then the message, the channel last.
        const [found] = await tx.select({ threadId: messages.threadId }).from(messages).where(eq(messages.id, id));
        if (found?.threadId) {
          await tx.select({ id: messages.id }).from(messages).where(eq(messages.id, found.threadId)).for('update');
        }
        const [row] = await tx
          .select({ channelId: messages.channelId, threadId: messages.threadId, meta: messages.meta })
          .from(messages)
          .where(eq(messages.id, id))
          .for('update');
        if (!row || row.meta?.deleted) throw notFound('message');
        const hasReplies = async (rootId: string) =>
          (await tx.select({ id: messages.id }).from(messages).where(eq(messages.threadId, rootId)).limit(1)).length >
          0;
        const forget = async (ids: string[]) => {
          await tx.delete(mentions).where(inArray(mentions.messageId, ids));
          await tx.delete(reactions).where(inArray(reactions.messageId, ids));
        };
        if (!row.threadId && (await hasReplies(id))) {
          // The replies are other people's words: the root stays as their anchor, its own words gone.
          await tx.update(messages).set(deletedRootColumns(toValue)).where(eq(messages.id, id));
          await forget([id]);
          const root = await getMessage(tx, id);
          if (!root) throw notFound('message');
          const event = await append(tx, row.channelId, { type: 'message.updated', message: asDeletedRoot(root) });
          return { event, events: [event] };
        }
        await tx.delete(messages).where(eq(messages.id, id));
        await forget([id]);
        const event = await append(tx, row.channelId, { type: 'message.deleted', messageId: id });
        if (!row.threadId) return { event, events: [event] };
        const root = await getMessage(tx, row.threadId);
        if (root?.meta?.deleted && !(await hasReplies(root.id))) {
          // A deleted root whose last reply this was has nothing left to anchor.
          await tx.delete(messages).where(eq(messages.id, root.id));
          const rootEvent = await append(tx, row.channelId, { type: 'message.deleted', messageId: root.id });
          return { event, events: [event, rootEvent] };
        }
        const threadEvent = await recountReplies(tx, row.threadId);
        return { event, events: threadEvent ? [event, threadEvent] : [event] };
      });
    },

    async react({ messageId, userId, emoji, on }) {
      return db.transaction(async (tx) => {
        // Locks the message first (then the channel row, in log.next): reactions to it change one after the other.
        const [message] = await tx
          .select({ channelId: messages.channelId })
          .from(messages)
          .where(eq(messages.id, messageId))
          .for('update', { of: messages });
        if (!message) throw notFound('message');
        let changed: boolean;
        if (on) {
          const present = await tx
            .selectDistinct({ emoji: reactions.emoji })
            .from(reactions)
            .where(eq(reactions.messageId, messageId));
          assertRoomFor(
            emoji,
            present.map((r) => r.emoji),
          );
          const inserted = await tx
            .insert(reactions)
            .values({ messageId, userId, emoji, createdAt: isoNow() })
            .onConflictDoNothing()
            .returning({ emoji: reactions.emoji });
          changed = inserted.length > 0;
        } else {
          const removed = await tx
            .delete(reactions)
            .where(and(eq(reactions.messageId, messageId), eq(reactions.userId, userId), eq(reactions.emoji, emoji)))
            .returning({ emoji: reactions.emoji });
          changed = removed.length > 0;
        }
        const current = (await reactionsOf(tx, [messageId])).get(messageId) ?? [];
        if (!changed) return { reactions: current, event: null };
        return {
          reactions: current,
          event: await append(tx, message.channelId, { type: 'message.reactions', messageId, reactions: current }),
        };
      });
    },

    async history(channelId, { before, after, limit }) {
      if (after !== undefined) return newerThan(channelId, after, limit);
      return db.transaction(async (tx) => {
        const channel = await requireChannel(tx, channelId);
        const rows = await tx
          .select(messageColumns)
          .from(messages)
          .leftJoin(users, eq(users.id, messages.authorId))
          .where(
            and(
              eq(messages.channelId, channelId),
              before ? lt(messages.seq, before) : undefined,
              or(isNull(messages.threadId), eq(messages.alsoInChannel, true)),
            ),
          )
          .orderBy(desc(messages.seq))
          .limit(limit + 1);
        const page = newestFirstPage(rows, limit, (row) => toMessage(row, asValue));
        const items = await hydrateMessages(tx, page.items);
        return { ...page, items, eventId: formatEventId(epoch, channel.lastOffset) };
      }, SNAPSHOT);
    },

    async around(messageId, { limit }) {
      return db.transaction(async (tx) => {
        const target = await getMessage(tx, messageId);
        if (!target) throw notFound('message');
        // A reply kept in its thread is not in the list: the window centres on its root.
        const anchor = target.threadId && !target.alsoInChannel ? await getMessage(tx, target.threadId) : target;
        if (!anchor) throw notFound('message');
        const channel = await requireChannel(tx, anchor.channelId);
        const sides = windowSides(limit);
        const older = await listedBeside(tx, channel.id, anchor.seq, 'older', sides.older + 1);
        const newer = await listedBeside(tx, channel.id, anchor.seq, 'newer', sides.newer + 1);
        return {
          ...aroundItems(anchor, older, newer, limit),
          channelId: channel.id,
          messageId: anchor.id,
          eventId: formatEventId(epoch, channel.lastOffset),
        };
      }, SNAPSHOT);
    },

    async thread(rootId, { before, limit }) {
      return db.transaction(async (tx) => {
        const root = await getMessage(tx, rootId);
        if (!root) throw notFound('message');
        if (root.threadId) throw new AppError('BAD_REQUEST', 'a reply has no thread of its own');
        const channel = await requireChannel(tx, root.channelId);
        const rows = await tx
          .select(messageColumns)
          .from(messages)
          .leftJoin(users, eq(users.id, messages.authorId))
          .where(and(eq(messages.threadId, rootId), before ? lt(messages.seq, before) : undefined))
          .orderBy(desc(messages.seq))
          .limit(limit + 1);
        const page = newestFirstPage(rows, limit, (row) => toMessage(row, asValue));
        const items = await hydrateMessages(tx, page.items);
        return { root, ...page, items, eventId: formatEventId(epoch, channel.lastOffset) };
      }, SNAPSHOT);
    },

    async streamInfo(channelId) {
      return log.info(channelId);
    },

    async eventsAfter(channelId, after, limit) {
      return db.transaction((tx) => {
        const source = {
          page: (from: number, want: number) => log.after(tx, channelId, from, want),
          messages: (ids: string[]) => messagesWithIds(tx, ids),
        };
        return runLater(channelEventsAfter(source, channelId, after, limit, asValue));
      }, SNAPSHOT);
    },
  };
}
