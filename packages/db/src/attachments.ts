import { AppError, type Attachment, type Message, type NewAttachment, type StoredAttachment } from '@hubbub/core';
import { isoNow } from './time';

/** Attachment rows as both dialects read them (the same column names). */
export interface AttachmentRow {
  id: string;
  channelId: string;
  messageId: string | null;
  uploaderId: string;
  name: string;
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
  hasThumbnail: boolean;
  createdAt: string;
}

/** The row of a new (pending) upload. */
export function newAttachmentRow(input: NewAttachment): AttachmentRow {
  return {
    id: input.id,
    channelId: input.channelId,
    messageId: null,
    uploaderId: input.uploaderId,
    name: input.name,
    contentType: input.contentType,
    size: input.size,
    width: input.width ?? null,
    height: input.height ?? null,
    hasThumbnail: input.thumbnail ?? false,
    createdAt: isoNow(),
  };
}

/** What a message carries: no row bookkeeping, optional fields left out when unset. */
export function toAttachment(row: AttachmentRow): Attachment {
  return {
    id: row.id,
    name: row.name,
    contentType: row.contentType,
    size: row.size,
    ...(row.width !== null && row.height !== null ? { width: row.width, height: row.height } : {}),
    ...(row.hasThumbnail ? { thumbnail: true } : {}),
  };
}

export function toStoredAttachment(row: AttachmentRow): StoredAttachment {
  return {
    ...toAttachment(row),
    channelId: row.channelId,
    messageId: row.messageId,
    uploaderId: row.uploaderId,
    createdAt: row.createdAt,
  };
}

/** Upload order: by time, ties within a millisecond by id (as the stores' ORDER BY). */
export function byUploadOrder(a: AttachmentRow, b: AttachmentRow): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Rows (in upload order) grouped per message. */
export function groupAttachments(rows: AttachmentRow[]): Map<string, Attachment[]> {
  const byMessage = new Map<string, Attachment[]>();
  for (const row of rows) {
    if (!row.messageId) continue;
    const list = byMessage.get(row.messageId) ?? [];
    list.push(toAttachment(row));
    byMessage.set(row.messageId, list);
  }
  return byMessage;
}

/** The messages with their attachments (a message with none carries none). */
export function withAttachments(list: Message[], attachments: Map<string, Attachment[]>): Message[] {
  return list.map((message) => {
    const found = attachments.get(message.id);
    return found ? { ...message, attachments: found } : message;
  });
}

/** Refuses a send whose attachments are not all the author's pending uploads to this channel. */
export function assertAllAttached(wanted: readonly string[], attached: number): void {
  if (attached !== new Set(wanted).size) {
    throw new AppError('BAD_REQUEST', 'a file to attach is not an upload of yours to this channel waiting to be sent');
  }
}
