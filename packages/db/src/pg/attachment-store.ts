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
import type { PgDb, PgTx } from './open';
import { attachments } from './schema';

type Db = PgDb | PgTx;

/** A row left behind by a message deleted without its files (the process stopped in between). */
const messageGone = sql`(${attachments.messageId} is not null and not exists (select 1 from messages m where m.id = ${attachments.messageId}))`;

/** Ties within a millisecond by id, "C" so both dialects compare bytes alike. */
const idOrder = sql`${attachments.id} collate "C"`;

/** The attachments of these messages, per message (the chat store hydrates messages with it). */
export async function pgAttachmentsOf(tx: Db, messageIds: readonly string[]): Promise<Map<string, Attachment[]>> {
  if (messageIds.length === 0) return new Map();
  return groupAttachments(
    await tx
      .select()
      .from(attachments)
      .where(inArray(attachments.messageId, [...messageIds]))
      .orderBy(asc(attachments.createdAt), asc(idOrder)),
  );
}

/**
 * Gives the author's pending uploads in this channel to a message, inside the
 * send's transaction; BAD_REQUEST (the transaction rolls back) unless every one was.
 */
export async function pgAttachPending(
  tx: PgTx,
  input: { ids: readonly string[]; messageId: string; uploaderId: string; channelId: string },
): Promise<Attachment[]> {
  const rows = await tx
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
    .returning();
  assertAllAttached(input.ids, rows.length);
  return rows.sort(byUploadOrder).map(toAttachment);
}

export function createPgAttachmentStore(db: PgDb): AttachmentStore {
  return {
    async create(input) {
      const row = newAttachmentRow(input);
      await db.insert(attachments).values(row);
      return toStoredAttachment(row);
    },

    async byId(id) {
      const [row] = await db.select().from(attachments).where(eq(attachments.id, id));
      return row ? toStoredAttachment(row) : null;
    },

    async ofMessages(messageIds) {
      return pgAttachmentsOf(db, messageIds);
    },

    async deleteByMessages(messageIds) {
      if (messageIds.length === 0) return [];
      const rows = await db
        .delete(attachments)
        .where(inArray(attachments.messageId, [...messageIds]))
        .returning();
      return rows.map(toStoredAttachment);
    },

    async removeStale(before) {
      const rows = await db
        .delete(attachments)
        .where(or(and(isNull(attachments.messageId), lt(attachments.createdAt, before)), messageGone))
        .returning();
      return rows.map(toStoredAttachment);
    },
  };
}
