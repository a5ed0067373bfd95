import type { Attachment, AttachmentStore } from '@hubbub/core';
import { and, asc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import {
  assertAllAttached,
  byUploadOrder,
  groupAttachments,
  newAttachmentRow,
  toAttachment,
  toStoredAttachment,
} from '../attachments';
import type { SqliteDb, SqliteTx } from './open';
import { attachments } from './schema';

type Db = SqliteDb | SqliteTx;

/** A row left behind by a message deleted without its files (the process stopped in between). */
const messageGone = sql`(${attachments.messageId} is not null and not exists (select 1 from messages m where m.id = ${attachments.messageId}))`;

/** The attachments of these messages, per message (the chat store hydrates messages with it). */
export function sqliteAttachmentsOf(tx: Db, messageIds: readonly string[]): Map<string, Attachment[]> {
  if (messageIds.length === 0) return new Map();
  return groupAttachments(
    tx
      .select()
      .from(attachments)
      .where(inArray(attachments.messageId, [...messageIds]))
      .orderBy(asc(attachments.createdAt), asc(attachments.id))
      .all(),
  );
}

/**
 * Gives the author's pending uploads in this channel to a message, inside the
 * send's transaction; BAD_REQUEST (the caller rolls back) unless every one was.
 */
export function sqliteAttachPending(
  tx: SqliteTx,
  input: { ids: readonly string[]; messageId: string; uploaderId: string; channelId: string },
): Attachment[] {
  const rows = tx
    .update(attachments)
    .set({ messageId: input.messageId })
    .where(
      and(
        inArray(attachments.id, [...input.ids]),
        eq(attachments.uploaderId, input.uploaderId),
        eq(attachments.channelId, input.channelId),
        isNull(attachments.messageId),
      ),
    )
    .returning()
    .all();
  assertAllAttached(input.ids, rows.length);
  return rows.sort(byUploadOrder).map(toAttachment);
}

export function createSqliteAttachmentStore(db: SqliteDb): AttachmentStore {
  return {
    async create(input) {
      const row = newAttachmentRow(input);
      db.insert(attachments).values(row).run();
      return toStoredAttachment(row);
    },

    async byId(id) {
      const row = db.select().from(attachments).where(eq(attachments.id, id)).get();
      return row ? toStoredAttachment(row) : null;
    },

    async ofMessages(messageIds) {
      return sqliteAttachmentsOf(db, messageIds);
    },

    async deleteByMessages(messageIds) {
      if (messageIds.length === 0) return [];
      return db
        .delete(attachments)
        .where(inArray(attachments.messageId, [...messageIds]))
        .returning()
        .all()
        .map(toStoredAttachment);
    },

    async removeStale(before) {
      return db
        .delete(attachments)
        .where(or(and(isNull(attachments.messageId), lt(attachments.createdAt, before)), messageGone))
        .returning()
        .all()
        .map(toStoredAttachment);
    },
  };
}
