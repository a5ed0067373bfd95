import {
  AppError,
  assertCanPost,
  type ChannelChange,
  type ChatStore,
  formatEventId,
  type Member,
  type Message,
  type NewMessage,
  notFound,
  type StreamEvent,
} from '@hubbub/core';
import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, lt, lte, min, or, sql } from 'drizzle-orm';
import { newId } from '../ids';
import { asValue, hydrateChannelEvent, toChannel, toMessage } from '../rows';
import type { ChatStoreOptions } from '../sqlite/chat-store';
import type { PgDb, PgHandle, PgTx } from './open';
import { channelEvents, channelMembers, channels, messages, users } from './schema';

type Db = PgDb | PgTx;

/** Reads that must see one consistent moment (a page and its stream position). */
const SNAPSHOT = { isolationLevel: 'repeatable read', accessMode: 'read only' } as const;

const memberCount = sql<number>`(select count(*) from channel_members m where m.channel_id = ${channels.id})`.mapWith(
  Number,
);
const channelColumns = { ...getTableColumns(channels), memberCount };
const messageColumns = {
  ...getTableColumns(messages),
  authorHandle: users.handle,
  authorName: users.displayName,
};

const now = () => new Date().toISOString();

/** Thrown inside a send to roll it back when a concurrent send with the same clientId won. */
class DuplicateSend extends Error {}

/**
 * The ChatStore on PostgreSQL. Every change takes the channel's next offset
 * with `UPDATE channels SET last_offset = last_offset + 1 … RETURNING` in its
 * own transaction: the row stays locked until commit, so writers on any
 * instance get consecutive offsets and commit them in offset order (a reader
 * never sees offset n + 1 before n), and a rolled-back change leaves no gap.
 *
 * Lock order, to stay clear of deadlocks: message or membership row first, the
 * channel row last.
 */
export function createPgChatStore(handle: PgHandle, options: ChatStoreOptions = {}): ChatStore {
  const { db, epoch } = handle;
  const retention = options.retention ?? 10_000;

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
    return row ? toMessage(row, asValue) : null;
  };
  const getMember = async (tx: Db, channelId: string, userId: string): Promise<Member | null> => {
    const [row] = await tx
      .select({ ...getTableColumns(channelMembers), handle: users.handle, displayName: users.displayName })
      .from(channelMembers)
      .innerJoin(users, eq(users.id, channelMembers.userId))
      .where(and(eq(channelMembers.channelId, channelId), eq(channelMembers.userId, userId)));
    return row
      ? { userId: row.userId, handle: row.handle, displayName: row.displayName, role: row.role, joinedAt: row.joinedAt }
      : null;
  };

  /** The post rules for this send (see NewMessage.checkPostAccess); in the send's transaction, after the channel lock. */
  const assertPostAccess = async (tx: Db, input: NewMessage) => {
    const [access] = await tx
      .select({ visibility: channels.visibility, archivedAt: channels.archivedAt, role: channelMembers.role })
      .from(channels)
      .leftJoin(
        channelMembers,
        and(eq(channelMembers.channelId, channels.id), eq(channelMembers.userId, input.authorId ?? '')),
      )
      .where(eq(channels.id, input.channelId));
    if (!access) throw notFound('channel');
    assertCanPost(access, access.role ? { role: access.role } : null);
  };

  /** Takes the channel's next offset and locks the channel row until commit; must run inside the writing transaction. */
  const nextOffset = async (tx: PgTx, channelId: string, touchMessageAt?: string): Promise<number> => {
    const [row] = await tx
      .update(channels)
      .set({
        lastOffset: sql`${channels.lastOffset} + 1`,
        ...(touchMessageAt ? { lastMessageAt: touchMessageAt } : {}),
      })
      .where(eq(channels.id, channelId))
      .returning({ offset: channels.lastOffset });
    if (!row) throw notFound('channel');
    return row.offset;
  };

  /** Appends a change at `offset`; message changes store only the id (hydrated on replay). */
  const appendAt = async (tx: PgTx, channelId: string, offset: number, change: ChannelChange) => {
    const messageId =
      change.type === 'message.created' || change.type === 'message.updated'
        ? change.message.id
        : change.type === 'message.deleted'
          ? change.messageId
          : null;
    await tx.insert(channelEvents).values({
      channelId,
      offset,
      type: change.type,
      messageId,
      payload: messageId ? null : change,
      createdAt: now(),
    });
    if (offset % 100 === 0 && offset > retention) {
      await tx
        .delete(channelEvents)
        .where(and(eq(channelEvents.channelId, channelId), lte(channelEvents.offset, offset - retention)));
    }
    const event: StreamEvent = { channelId, offset, change };
    return event;
  };
  const append = async (tx: PgTx, channelId: string, change: ChannelChange) =>
    appendAt(tx, channelId, await nextOffset(tx, channelId), change);

  const joinTx = async (tx: PgTx, channelId: string, userId: string, role: Member['role']) => {
    if (await getMember(tx, channelId, userId)) return null;
    // Checked here: the foreign key would otherwise surface as a raw PostgresError.
    if ((await tx.select({ id: users.id }).from(users).where(eq(users.id, userId))).length === 0) {
      throw notFound('user');
    }
    // A concurrent join of the same user waits on the key here and then does nothing: one member.joined.
    const inserted = await tx
      .insert(channelMembers)
      .values({ channelId, userId, role, joinedAt: now() })
      .onConflictDoNothing()
      .returning({ userId: channelMembers.userId });
    if (inserted.length === 0) return null;
    const member = await getMember(tx, channelId, userId);
    if (!member) throw notFound('user');
    return append(tx, channelId, { type: 'member.joined', member });
  };

  const findByClientId = async (tx: Db, input: { channelId: string; authorId: string | null; clientId: string }) => {
    const [previous] = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(
        and(
          eq(messages.channelId, input.channelId),
          input.authorId ? eq(messages.authorId, input.authorId) : isNull(messages.authorId),
          eq(messages.clientId, input.clientId),
        ),
      );
    return previous ? getMessage(tx, previous.id) : null;
  };

  return {
    epoch: () => epoch,

    async createChannel(input) {
      return db.transaction(async (tx) => {
        const id = newId();
        const [created] = await tx
          .insert(channels)
          .values({
            id,
            slug: input.slug,
            name: input.name,
            topic: input.topic ?? null,
            visibility: input.visibility,
            createdBy: input.createdBy,
            createdAt: now(),
          })
          .onConflictDoNothing({ target: channels.slug })
          .returning({ id: channels.id });
        if (!created) throw new AppError('CONFLICT', `a channel named #${input.slug} exists already`);
        const events: StreamEvent[] = [];
        if (input.createdBy) {
          const joined = await joinTx(tx, id, input.createdBy, 'owner');
          if (joined) events.push(joined);
        }
        return { channel: await requireChannel(tx, id), events };
      });
    },

    async channelById(id) {
      return getChannel(db, id);
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
        .select({
          userId: channelMembers.userId,
          handle: users.handle,
          displayName: users.displayName,
          role: channelMembers.role,
          joinedAt: channelMembers.joinedAt,
        })
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
        return removed ? append(tx, channelId, { type: 'member.left', userId }) : null;
      });
    },

    async archive(channelId) {
      return db.transaction(async (tx) => {
        // The offset first: it locks the row, so the snapshot in the event is the one that commits.
        const offset = await nextOffset(tx, channelId);
        await tx.update(channels).set({ archivedAt: now() }).where(eq(channels.id, channelId));
        const channel = await requireChannel(tx, channelId);
        return { channel, event: await appendAt(tx, channelId, offset, { type: 'channel.updated', channel }) };
      });
    },

    async sendMessage(input) {
      const clientId = input.clientId;
      const dedupe = clientId ? { channelId: input.channelId, authorId: input.authorId, clientId } : null;
      // A plain retry finds its message without taking the channel lock.
      if (dedupe) {
        const message = await findByClientId(db, dedupe);
        if (message) {
          if (input.checkPostAccess) await assertPostAccess(db, input);
          return { message, event: null };
        }
      }
      try {
        return await db.transaction(async (tx) => {
          const createdAt = now();
          const offset = await nextOffset(tx, input.channelId, createdAt);
          // Checked under the channel lock: a leave or an archive commits either before it (refused) or after the message.
          if (input.checkPostAccess) await assertPostAccess(tx, input);
          const id = newId();
          // The unique (channel, author, clientId) index decides between racing retries: the loser inserts nothing.
          const inserted = await tx
            .insert(messages)
            .values({
              id,
              channelId: input.channelId,
              seq: offset,
              authorId: input.authorId,
              role: input.role ?? 'user',
              status: input.status ?? 'complete',
              content: input.content,
              clientId: clientId ?? null,
              meta: input.meta ?? null,
              createdAt,
            })
            .onConflictDoNothing()
            .returning({ id: messages.id });
          // Rolls back the offset too: the stream stays gap-free.
          if (inserted.length === 0) throw new DuplicateSend();
          const message = await getMessage(tx, id);
          if (!message) throw notFound('message');
          return { message, event: await appendAt(tx, input.channelId, offset, { type: 'message.created', message }) };
        });
      } catch (error) {
        if (!(error instanceof DuplicateSend) || !dedupe) throw error;
        const message = await findByClientId(db, dedupe);
        if (!message) throw error;
        return { message, event: null };
      }
    },

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
          .set({
            ...(patch.content !== undefined ? { content: patch.content } : {}),
            ...(patch.status !== undefined ? { status: patch.status } : {}),
            ...(patch.meta !== undefined ? { meta: { ...before.meta, ...patch.meta } } : {}),
            ...(patch.edited ? { editedAt: now() } : {}),
          })
          .where(eq(messages.id, id));
        const message = await getMessage(tx, id);
        if (!message) throw notFound('message');
        return { message, event: await append(tx, message.channelId, { type: 'message.updated', message }) };
      });
    },

    async deleteMessage(id) {
      return db.transaction(async (tx) => {
        const [row] = await tx.delete(messages).where(eq(messages.id, id)).returning({ channelId: messages.channelId });
        if (!row) throw notFound('message');
        return append(tx, row.channelId, { type: 'message.deleted', messageId: id });
      });
    },

    async history(channelId, { before, limit }) {
      return db.transaction(async (tx) => {
        const channel = await requireChannel(tx, channelId);
        const rows = await tx
          .select(messageColumns)
          .from(messages)
          .leftJoin(users, eq(users.id, messages.authorId))
          .where(and(eq(messages.channelId, channelId), before ? lt(messages.seq, before) : undefined))
          .orderBy(desc(messages.seq))
          .limit(limit + 1);
        const more = rows.length > limit;
        const items = (more ? rows.slice(0, limit) : rows).map((row) => toMessage(row, asValue));
        return {
          items,
          nextCursor: more ? (items.at(-1)?.seq ?? null) : null,
          eventId: formatEventId(epoch, channel.lastOffset),
        };
      }, SNAPSHOT);
    },

    async streamInfo(channelId) {
      return db.transaction(async (tx) => {
        const channel = await requireChannel(tx, channelId);
        const [oldest] = await tx
          .select({ offset: min(channelEvents.offset) })
          .from(channelEvents)
          .where(eq(channelEvents.channelId, channelId));
        return { epoch, head: channel.lastOffset, oldestRetained: oldest?.offset ?? channel.lastOffset + 1 };
      }, SNAPSHOT);
    },

    async eventsAfter(channelId, after, limit) {
      return db.transaction(async (tx) => {
        const events: StreamEvent[] = [];
        // Events of deleted messages are dropped; read on so that a short page still means "end of stream".
        let from = after;
        while (events.length < limit) {
          const want = limit - events.length;
          const rows = await tx
            .select()
            .from(channelEvents)
            .where(and(eq(channelEvents.channelId, channelId), gt(channelEvents.offset, from)))
            .orderBy(asc(channelEvents.offset))
            .limit(want);
          const ids = rows.flatMap((r) => (r.messageId && r.type !== 'message.deleted' ? [r.messageId] : []));
          const current = new Map<string, Message>();
          if (ids.length > 0) {
            const found = await tx
              .select(messageColumns)
              .from(messages)
              .leftJoin(users, eq(users.id, messages.authorId))
              .where(inArray(messages.id, [...new Set(ids)]));
            for (const row of found) current.set(row.id, toMessage(row, asValue));
          }
          for (const row of rows) {
            const change = hydrateChannelEvent(row, current, asValue);
            if (change) events.push({ channelId, offset: row.offset, change });
          }
          if (rows.length < want) break;
          from = rows.at(-1)?.offset ?? from;
        }
        return events;
      }, SNAPSHOT);
    },
  };
}
