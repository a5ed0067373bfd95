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
import { assertRoomFor } from '../reactions';
import { runNow } from '../read-plan';
import { accessOf, parseText, sentMessage, toChannel, toMessage, toText } from '../rows';
import type { ChatStoreOptions } from '../store-options';
import { channelStream } from '../streams';
import { isoNow } from '../time';
import { newTodoItems, todoWrite, toTodoList, withTodoStatus } from '../todo-rows';
import { sqliteAttachPending } from './attachment-store';
import { inlineLimit } from './inline-limit';
import { createMessageReads, messageColumns } from './message-reads';
import type { SqliteDb, SqliteHandle, SqliteTx as Tx } from './open';
import { channelMembers, channels, channelTodos, mentions, messages, reactions, readPositions, users } from './schema';
import { createSearchBacklog, SEARCH_BATCH } from './search-backlog';
import { createSqliteStreamLog } from './stream-log';

type Db = SqliteDb | Tx;
type ThreadSummaryRead = { replyCount: number; repliers: string[] };

const memberCount = sql<number>`(select count(*) from channel_members m where m.channel_id = ${channels.id})`;
const channelColumns = { ...getTableColumns(channels), memberCount };
/** A membership joined with its user: a Member as it is. */
const memberColumns = {
  userId: channelMembers.userId,
  handle: users.handle,
  displayName: users.displayName,
  role: channelMembers.role,
  joinedAt: channelMembers.joinedAt,
};

export function createSqliteChatStore(handle: SqliteHandle, options: ChatStoreOptions = {}): ChatStore {
  const { db, epoch } = handle;
  const log = createSqliteStreamLog(handle, channelStream, options.retention);
  const reads = createMessageReads(db);
  const searchBacklog = createSearchBacklog(handle.raw);

  // The hot path (send, read a channel, a member, a message) runs on statements
  // prepared once: building and preparing SQL per call cost more than running it
  // (the stream's own are the log's). One connection: they are valid inside
  // transactions too.
  const ph = sql.placeholder;
  const prepared = {
    channel: db
      .select(channelColumns)
      .from(channels)
      .where(eq(channels.id, ph('id')))
      .prepare(),
    message: db
      .select(messageColumns)
      .from(messages)
      .leftJoin(users, eq(users.id, messages.authorId))
      .where(eq(messages.id, ph('id')))
      .prepare(),
    member: db
      .select(memberColumns)
      .from(channelMembers)
      .innerJoin(users, eq(users.id, channelMembers.userId))
      .where(and(eq(channelMembers.channelId, ph('channelId')), eq(channelMembers.userId, ph('userId'))))
      .prepare(),
    insertMessage: db
      .insert(messages)
      .values({
        id: sql`${ph('id')}`,
        channelId: sql`${ph('channelId')}`,
        seq: sql`${ph('seq')}`,
        authorId: sql`${ph('authorId')}`,
        role: sql`${ph('role')}`,
        status: sql`${ph('status')}`,
        content: sql`${ph('content')}`,
        clientId: sql`${ph('clientId')}`,
        meta: sql`${ph('meta')}`,
        createdAt: sql`${ph('createdAt')}`,
        threadId: sql`${ph('threadId')}`,
        alsoInChannel: sql`${ph('alsoInChannel')}`,
      })
      .prepare(),
    access: db
      .select({ visibility: channels.visibility, archivedAt: channels.archivedAt, role: channelMembers.role })
      .from(channels)
      .leftJoin(channelMembers, and(eq(channelMembers.channelId, channels.id), eq(channelMembers.userId, ph('userId'))))
      .where(eq(channels.id, ph('channelId')))
      .prepare(),
    postAccess: db
      .select({
        visibility: channels.visibility,
        archivedAt: channels.archivedAt,
        role: channelMembers.role,
        authorHandle: users.handle,
        authorName: users.displayName,
      })
      .from(channels)
      .leftJoin(channelMembers, and(eq(channelMembers.channelId, channels.id), eq(channelMembers.userId, ph('userId'))))
      .leftJoin(users, eq(users.id, ph('userId')))
      .where(eq(channels.id, ph('channelId')))
      .prepare(),
    byClientId: db
      .select({ id: messages.id })
      .from(messages)
      .where(
        and(
          eq(messages.channelId, ph('channelId')),
          eq(messages.authorId, ph('authorId')),
          eq(messages.clientId, ph('clientId')),
        ),
      )
      .prepare(),
  };

  const getChannel = (_tx: Db, id: string) => {
    const row = prepared.channel.get({ id });
    return row ? toChannel(row) : null;
  };
  const requireChannel = (tx: Db, id: string) => {
    const channel = getChannel(tx, id);
    if (!channel) throw notFound('channel');
    return channel;
  };
  const getMessage = (id: string) => {
    const row = prepared.message.get({ id });
    return row ? (reads.hydrate([toMessage(row, parseText)])[0] ?? null) : null;
  };
  /** A message shows in its channel's list unless it is a thread reply not also sent there. */
  const inMainList = or(isNull(messages.threadId), eq(messages.alsoInChannel, true));
  /** Up to `count` of the channel's listed messages older than `seq` (newest first) or newer (oldest first). */
  const listedBeside = (tx: Db, channelId: string, seq: number, side: 'older' | 'newer', count: number) => {
    const ids = tx
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
      .limit(inlineLimit(count))
      .all()
      .map((row) => row.id);
    // Hydrated like every read (reactions and all), then back in the order read.
    return inOrder(ids, reads.byIds(ids));
  };
  /** history with `after`: the `limit` listed messages just newer than `after`, newest first. */
  const newerThan = (channelId: string, after: number, limit: number) =>
    db.transaction((tx) => {
      const channel = requireChannel(tx, channelId);
      const rows = listedBeside(tx, channelId, after, 'newer', limit + 1);
      const oldest = rows[0]?.seq ?? after + 1;
      const olderExists = tx
        .select({ seq: messages.seq })
        .from(messages)
        .where(and(eq(messages.channelId, channelId), lt(messages.seq, oldest), inMainList))
        .limit(inlineLimit(1))
        .all();
      return {
        ...newerPage(rows, limit, after, olderExists.length > 0),
        eventId: formatEventId(epoch, channel.lastOffset),
      };
    });
  const getMember = (_tx: Db, channelId: string, userId: string): Member | null => {
    const row = prepared.member.get({ channelId, userId });
    return row ?? null;
  };
  /**
   * A channel's events after `after`, read in one transaction (its pages and their messages at one
   * moment) on prepared statements. The native transaction is made once: every resume runs it, and
   * drizzle's transaction() builds a transaction object and a native wrapper on every call.
   */
  const replay = handle.raw.transaction((channelId: string, after: number, limit: number) => {
    const source = {
      page: (from: number, want: number) => log.after(db, channelId, from, want),
      messages: (ids: string[]) => reads.byIds(ids),
    };
    return runNow(channelEventsAfter(source, channelId, after, limit, parseText));
  });

  /** Appends a change at `offset`, taken in this transaction (log.next). */
  const appendAt = (tx: Tx, channelId: string, offset: number, change: ChannelChange, at?: string): StreamEvent => {
    log.write(tx, offset, channelEventFields(channelId, change, JSON.stringify), at);
    return { channelId, offset, change };
  };
  const append = (tx: Tx, channelId: string, change: ChannelChange) =>
    appendAt(tx, channelId, log.next(tx, channelId), change);

  /** Changes a channel's own fields (archive, unarchive, rename, topic), with the channel.updated event. */
  const changeChannel = (channelId: string, set: ChannelFields) =>
    db.transaction((tx) => {
      tx.update(channels).set(set).where(eq(channels.id, channelId)).run();
      const offset = log.next(tx, channelId);
      const channel = requireChannel(tx, channelId);
      return { channel, event: appendAt(tx, channelId, offset, { type: 'channel.updated', channel }) };
    });

  /** The channel's plan as stored (no row: none yet). */
  const todosRow = (tx: Db, channelId: string) =>
    tx.select().from(channelTodos).where(eq(channelTodos.channelId, channelId)).get();
  /** Stores the channel's plan whole, with its todo.updated event (NOT_FOUND for no such channel: log.next). */
  const writeTodos = (tx: Tx, channelId: string, items: TodoItem[], by: string) => {
    const offset = log.next(tx, channelId);
    const { todos, row } = todoWrite(channelId, items, by, JSON.stringify);
    const { channelId: _key, ...set } = row;
    tx.insert(channelTodos).values(row).onConflictDoUpdate({ target: channelTodos.channelId, set }).run();
    return { todos, event: appendAt(tx, channelId, offset, { type: 'todo.updated', todos }) };
  };

  const joinTx = (tx: Tx, channelId: string, userId: string, role: Member['role']): StreamEvent | null => {
    if (getMember(tx, channelId, userId)) return null;
    // Checked here: the foreign key would otherwise surface as a raw SqliteError.
    if (!tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).get()) throw notFound('user');
    const joinedAt = isoNow();
    tx.insert(channelMembers).values({ channelId, userId, role, joinedAt }).run();
    const member = getMember(tx, channelId, userId);
    if (!member) throw notFound('user');
    const event = append(tx, channelId, { type: 'member.joined', member });
    // A new member has read everything before they came.
    const position = { seq: event.offset, updatedAt: joinedAt };
    tx.insert(readPositions)
      .values({ userId, channelId, ...position })
      .onConflictDoUpdate({ target: [readPositions.userId, readPositions.channelId], set: position })
      .run();
    return event;
  };

  /** A thread's root as a send into it needs it, and who the reply tells (its followers: chat-writes.ts). */
  const threadRootFor = (tx: Tx, input: NewMessage) => {
    if (!input.threadId) return null;
    const root = tx
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
      .get();
    assertThreadRoot(root, input.channelId);
    const latest = tx
      .select({ authorId: messages.authorId, meta: messages.meta })
      .from(messages)
      .where(eq(messages.threadId, input.threadId))
      .orderBy(desc(messages.seq))
      .limit(inlineLimit(1))
      .get();
    const earlier = followersBefore(
      latest && { authorId: latest.authorId, meta: parseText(latest.meta) as MessageMeta | null },
    );
    if (!root) return null;
    const summary = { replyCount: root.replyCount, repliers: (parseText(root.repliers) as string[] | null) ?? [] };
    return { id: root.id, summary, followers: threadFollowers(root.authorId, earlier, input.authorId) };
  };

  /** A root's summary after a reply came (one more, this one newest), from what the send read of it. */
  const addReply = (tx: Tx, root: { id: string; summary: ThreadSummaryRead }, reply: Message): StreamEvent => {
    const { columns, thread } = summaryAfterReply(root.summary, reply, toText);
    tx.update(messages).set(columns).where(eq(messages.id, root.id)).run();
    return append(tx, reply.channelId, { type: 'thread.updated', messageId: root.id, thread });
  };

  /** A root's summary recounted from the replies left (after a delete). */
  const recountReplies = (tx: Tx, rootId: string): StreamEvent | null => {
    const inThread = eq(messages.threadId, rootId);
    const count = tx.select({ n: sql<number>`count(*)` }).from(messages).where(inThread).get()?.n ?? 0;
    const newest = tx
      .select({ createdAt: messages.createdAt })
      .from(messages)
      .where(inThread)
      .orderBy(desc(messages.seq))
      .limit(inlineLimit(1))
      .get();
    const latest = tx
      .select({ authorId: messages.authorId })
      .from(messages)
      .where(and(inThread, isNotNull(messages.authorId)))
      .groupBy(messages.authorId)
      .orderBy(desc(sql`max(${messages.seq})`))
      .limit(inlineLimit(THREAD_LIMITS.repliers))
      .all()
      .flatMap((r) => (r.authorId ? [r.authorId] : []));
    const columns = summaryFromReplies({ count, lastReplyAt: newest?.createdAt ?? null }, latest, toText);
    tx.update(messages).set(columns).where(eq(messages.id, rootId)).run();
    const root = getMessage(rootId);
    return root ? append(tx, root.channelId, threadChange(root)) : null;
  };

  /** One send inside the writing transaction: idempotent on clientId, offset taken in the same transaction. */
  const sendOne = (
    tx: Tx,
    input: NewMessage,
  ): { message: Message; event: StreamEvent | null; threadEvent?: StreamEvent | null } => {
    // Who the author is, when known without reading the message back: nobody, or read with the access check.
    let author: { authorHandle: string | null; authorName: string | null } | null =
      input.authorId === null ? { authorHandle: null, authorName: null } : null;
    if (input.checkPostAccess) {
      const access = prepared.postAccess.get({ channelId: input.channelId, userId: input.authorId ?? '' });
      if (!access) throw notFound('channel');
      assertCanPost(access, access.role ? { role: access.role } : null);
      author = { authorHandle: access.authorHandle, authorName: access.authorName };
    }
    if (input.clientId) {
      const previous = input.authorId
        ? prepared.byClientId.get({
            channelId: input.channelId,
            authorId: input.authorId,
            clientId: input.clientId,
          })
        : tx
            .select({ id: messages.id })
            .from(messages)
            .where(
              and(
                eq(messages.channelId, input.channelId),
                isNull(messages.authorId),
                eq(messages.clientId, input.clientId),
              ),
            )
            .get();
      const message = previous && getMessage(previous.id);
      if (message) return { message, event: null };
    }
    const root = threadRootFor(tx, input);
    const meta = root ? replyMeta(input.meta, root.followers) : input.meta;
    const createdAt = isoNow();
    const offset = log.next(tx, input.channelId, createdAt);
    const row = newMessageRow({ ...input, meta }, offset, createdAt, toText);
    prepared.insertMessage.run({ ...row, alsoInChannel: row.alsoInChannel ? 1 : 0 });
    for (const userId of mentionRowUsers(meta)) {
      tx.insert(mentions).values({ userId, messageId: row.id, channelId: input.channelId, seq: offset }).run();
    }
    const files = input.attachmentIds?.length
      ? sqliteAttachPending(tx, {
          ids: input.attachmentIds,
          messageId: row.id,
          uploaderId: input.authorId ?? '',
          channelId: input.channelId,
        })
      : [];
    const stored = author ? sentMessage(row, author, parseText) : getMessage(row.id);
    if (!stored) throw notFound('message');
    const message = files.length > 0 ? { ...stored, attachments: files } : stored;
    const event = appendAt(tx, input.channelId, offset, { type: 'message.created', message }, createdAt);
    return root ? { message, event, threadEvent: addReply(tx, root, message) } : { message, event };
  };

  type QueuedSend = {
    input: NewMessage;
    resolve(value: ReturnType<typeof sendOne>): void;
    reject(error: unknown): void;
  };
  const sendQueue: QueuedSend[] = [];
  // Each send of a batch in its own savepoint, on statements prepared once (drizzle's nested
  // transaction prepares its SAVEPOINT SQL on every call: a tenth of the server's time under load).
  const sendSavepoint = {
    begin: handle.raw.prepare('SAVEPOINT send_one'),
    release: handle.raw.prepare('RELEASE send_one'),
    rollback: handle.raw.prepare('ROLLBACK TO send_one'),
  };
  type SendOutcome = { ok: true; value: ReturnType<typeof sendOne> } | { ok: false; error: unknown };
  /**
   * A batch's transaction, made by better-sqlite3 once: drizzle's transaction() builds a transaction object (a
   * query builder per table) on every call, a tenth of the store's time for a lone send. Inside it the
   * connection's drizzle instance serves as the transaction: one connection, so its queries run in it.
   */
  const writeSends = handle.raw.transaction((batch: QueuedSend[]): SendOutcome[] => {
    const tx = db as unknown as Tx;
    return batch.map((item) => {
      sendSavepoint.begin.run();
      try {
        const value = sendOne(tx, item.input);
        sendSavepoint.release.run();
        return { ok: true, value };
      } catch (error) {
        sendSavepoint.rollback.run();
        sendSavepoint.release.run();
        return { ok: false, error };
      }
    });
  });
  const flushSends = () => {
    const batch = sendQueue.splice(0);
    let outcomes: SendOutcome[];
    try {
      outcomes = writeSends(batch);
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) item.resolve(outcome.value);
      else item.reject(outcome?.error);
    });
    indexSearchEvery(batch.length);
  };
  /** Every SEARCH_BATCH sends the search index takes the backlog, after the acknowledgements have gone out. */
  let sentSinceIndexed = 0;
  const indexSearchEvery = (sent: number) => {
    sentSinceIndexed += sent;
    if (sentSinceIndexed < SEARCH_BATCH) return;
    sentSinceIndexed = 0;
    setImmediate(() => {
      if (!handle.raw.open) return;
      try {
        searchBacklog.indexAll();
      } catch (error) {
        // Nothing is lost: the backlog stays for the next pass, and a search indexes it first (and reports).
        process.emitWarning(`search index: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  };

  return {
    epoch: () => epoch,

    async todos(channelId) {
      return db.transaction((tx) => {
        requireChannel(tx, channelId);
        return toTodoList(channelId, todosRow(tx, channelId), parseText);
      });
    },

    async replaceTodos(channelId, items, by) {
      return db.transaction((tx) => writeTodos(tx, channelId, newTodoItems(items), by));
    },

    async setTodoStatus(channelId, id, status, by) {
      return db.transaction((tx) => {
        const row = todosRow(tx, channelId);
        if (!row) requireChannel(tx, channelId);
        const items = withTodoStatus(toTodoList(channelId, row, parseText).items, id, status);
        return writeTodos(tx, channelId, items, by);
      });
    },

    async createChannel(input) {
      return db.transaction((tx) => {
        if (tx.select({ id: channels.id }).from(channels).where(eq(channels.slug, input.slug)).get()) {
          throw new AppError('CONFLICT', `a channel named #${input.slug} exists already`);
        }
        const row = newChannelRow(input);
        tx.insert(channels).values(row).run();
        const events: StreamEvent[] = [];
        if (input.createdBy) {
          const joined = joinTx(tx, row.id, input.createdBy, 'owner');
          if (joined) events.push(joined);
        }
        return { channel: requireChannel(tx, row.id), events };
      });
    },

    async openDirect({ userIds, ...input }) {
      return db.transaction((tx) => {
        const found = tx.select({ id: channels.id }).from(channels).where(eq(channels.dmKey, input.dmKey)).get();
        if (found) return { channel: requireChannel(tx, found.id), created: false };
        const row = newChannelRow({ ...input, kind: 'dm' });
        tx.insert(channels).values(row).run();
        for (const userId of userIds) joinTx(tx, row.id, userId, 'member');
        return { channel: requireChannel(tx, row.id), created: true };
      });
    },

    async channelById(id) {
      return getChannel(db, id);
    },

    async access(channelId, userId) {
      const row = prepared.access.get({ channelId, userId });
      return row ? accessOf(row) : null;
    },

    async channelBySlug(slug) {
      const row = db.select(channelColumns).from(channels).where(eq(channels.slug, slug)).get();
      return row ? toChannel(row) : null;
    },

    async listChannels(userId, page = {}) {
      const mine = sql`exists (select 1 from channel_members m where m.channel_id = ${channels.id} and m.user_id = ${userId})`;
      const archived = sql`(${channels.archivedAt} is not null)`;
      const { after } = page;
      const afterCursor = after
        ? sql`(${archived} > ${after.archived ? 1 : 0} or (${archived} = ${after.archived ? 1 : 0} and ${channels.slug} > ${after.slug}))`
        : undefined;
      const query = db
        .select({ ...channelColumns, joined: sql<number>`${mine}` })
        .from(channels)
        .where(and(or(eq(channels.visibility, 'public'), mine), afterCursor))
        .orderBy(archived, asc(channels.slug));
      const rows = page.limit ? query.limit(inlineLimit(page.limit)).all() : query.all();
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
        .orderBy(asc(users.handle))
        .all();
    },

    async join(channelId, userId, role = 'member') {
      return db.transaction((tx) => {
        requireChannel(tx, channelId);
        return joinTx(tx, channelId, userId, role);
      });
    },

    async leave(channelId, userId) {
      return db.transaction((tx) => {
        const removed = tx
          .delete(channelMembers)
          .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, userId)))
          .returning()
          .get();
        if (!removed) return null;
        tx.delete(readPositions)
          .where(and(eq(readPositions.userId, userId), eq(readPositions.channelId, channelId)))
          .run();
        return append(tx, channelId, { type: 'member.left', userId });
      });
    },

    archive: async (channelId) => changeChannel(channelId, { archivedAt: isoNow() }),
    unarchive: async (channelId) => changeChannel(channelId, { archivedAt: null }),
    update: async (channelId, patch) => changeChannel(channelId, patch),

    /** Sends in the same event-loop turn share one transaction (group commit), each in its own savepoint. */
    sendMessage(input) {
      return new Promise((resolve, reject) => {
        sendQueue.push({ input, resolve, reject });
        if (sendQueue.length === 1) setImmediate(flushSends);
      });
    },

    async streamingMessages() {
      return db
        .select(messageColumns)
        .from(messages)
        .leftJoin(users, eq(users.id, messages.authorId))
        .where(eq(messages.status, 'streaming'))
        .all()
        .map((row) => toMessage(row, parseText));
    },

    async messageById(id) {
      return getMessage(id);
    },

    async editMessage(id, patch) {
      return db.transaction((tx) => {
        const before = getMessage(id);
        if (!before) throw notFound('message');
        tx.update(messages)
          .set(messagePatchColumns(before, patch, toText))
          .where(eq(messages.id, id))
          .run();
        const message = getMessage(id);
        if (!message) throw notFound('message');
        return { message, event: append(tx, message.channelId, { type: 'message.updated', message }) };
      });
    },

    /** A root takes its replies with it; a reply's root is recounted. */
    async deleteMessage(id) {
      return db.transaction((tx) => {
        const row = tx
          .select({ channelId: messages.channelId, threadId: messages.threadId, meta: messages.meta })
          .from(messages)
          .where(eq(messages.id, id))
          .get();
        if (!row || (parseText(row.meta) as MessageMeta | null)?.deleted) throw notFound('message');
        const hasReplies = (rootId: string) =>
          tx
            .select({ id: messages.id })
            .from(messages)
            .where(eq(messages.threadId, rootId))
            .limit(inlineLimit(1))
            .get() !== undefined;
        const forget = (ids: string[]) => {
          tx.delete(mentions).where(inArray(mentions.messageId, ids)).run();
          tx.delete(reactions).where(inArray(reactions.messageId, ids)).run();
        };
        if (!row.threadId && hasReplies(id)) {
          // The replies are other people's words: the root stays as their anchor, its own words gone.
          tx.update(messages).set(deletedRootColumns(toText)).where(eq(messages.id, id)).run();
          forget([id]);
          const root = getMessage(id);
          if (!root) throw notFound('message');
          const event = append(tx, row.channelId, { type: 'message.updated', message: asDeletedRoot(root) });
          return { event, events: [event] };
        }
        tx.delete(messages).where(eq(messages.id, id)).run();
        forget([id]);
        const event = append(tx, row.channelId, { type: 'message.deleted', messageId: id });
        if (!row.threadId) return { event, events: [event] };
        const root = getMessage(row.threadId);
        if (root?.meta?.deleted && !hasReplies(root.id)) {
          // A deleted root whose last reply this was has nothing left to anchor.
          tx.delete(messages).where(eq(messages.id, root.id)).run();
          return { event, events: [event, append(tx, row.channelId, { type: 'message.deleted', messageId: root.id })] };
        }
        const threadEvent = recountReplies(tx, row.threadId);
        return { event, events: threadEvent ? [event, threadEvent] : [event] };
      });
    },

    async react({ messageId, userId, emoji, on }) {
      return db.transaction((tx) => {
        const message = tx
          .select({ channelId: messages.channelId })
          .from(messages)
          .where(eq(messages.id, messageId))
          .get();
        if (!message) throw notFound('message');
        const key = and(eq(reactions.messageId, messageId), eq(reactions.userId, userId), eq(reactions.emoji, emoji));
        let changed: boolean;
        if (on) {
          const present = tx
            .selectDistinct({ emoji: reactions.emoji })
            .from(reactions)
            .where(eq(reactions.messageId, messageId))
            .all()
            .map((r) => r.emoji);
          assertRoomFor(emoji, present);
          const inserted = tx
            .insert(reactions)
            .values({ messageId, userId, emoji, createdAt: isoNow() })
            .onConflictDoNothing()
            .returning({ emoji: reactions.emoji })
            .all();
          changed = inserted.length > 0;
        } else {
          changed = tx.delete(reactions).where(key).returning({ emoji: reactions.emoji }).all().length > 0;
        }
        const current = reads.reactionsOf([messageId]).get(messageId) ?? [];
        if (!changed) return { reactions: current, event: null };
        return {
          reactions: current,
          event: append(tx, message.channelId, { type: 'message.reactions', messageId, reactions: current }),
        };
      });
    },

    async history(channelId, { before, after, limit }) {
      if (after !== undefined) return newerThan(channelId, after, limit);
      return db.transaction((tx) => {
        const channel = requireChannel(tx, channelId);
        const rows = tx
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
          .limit(inlineLimit(limit + 1))
          .all();
        const page = newestFirstPage(rows, limit, (row) => toMessage(row, parseText));
        const items = reads.hydrate(page.items);
        return { ...page, items, eventId: formatEventId(epoch, channel.lastOffset) };
      });
    },

    async around(messageId, { limit }) {
      return db.transaction((tx) => {
        const target = getMessage(messageId);
        if (!target) throw notFound('message');
        // A reply kept in its thread is not in the list: the window centres on its root.
        const anchor = target.threadId && !target.alsoInChannel ? getMessage(target.threadId) : target;
        if (!anchor) throw notFound('message');
        const channel = requireChannel(tx, anchor.channelId);
        const sides = windowSides(limit);
        const older = listedBeside(tx, channel.id, anchor.seq, 'older', sides.older + 1);
        const newer = listedBeside(tx, channel.id, anchor.seq, 'newer', sides.newer + 1);
        return {
          ...aroundItems(anchor, older, newer, limit),
          channelId: channel.id,
          messageId: anchor.id,
          eventId: formatEventId(epoch, channel.lastOffset),
        };
      });
    },

    async thread(rootId, { before, limit }) {
      return db.transaction((tx) => {
        const root = getMessage(rootId);
        if (!root) throw notFound('message');
        if (root.threadId) throw new AppError('BAD_REQUEST', 'a reply has no thread of its own');
        const channel = requireChannel(tx, root.channelId);
        const rows = tx
          .select(messageColumns)
          .from(messages)
          .leftJoin(users, eq(users.id, messages.authorId))
          .where(and(eq(messages.threadId, rootId), before ? lt(messages.seq, before) : undefined))
          .orderBy(desc(messages.seq))
          .limit(inlineLimit(limit + 1))
          .all();
        const page = newestFirstPage(rows, limit, (row) => toMessage(row, parseText));
        const items = reads.hydrate(page.items);
        return { root, ...page, items, eventId: formatEventId(epoch, channel.lastOffset) };
      });
    },

    async streamInfo(channelId) {
      return log.info(channelId);
    },

    async eventsAfter(channelId, after, limit) {
      return replay(channelId, after, limit);
    },
  };
}
