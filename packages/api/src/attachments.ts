import { AppError, type Attachment, notFound, type StoredAttachment, type User } from '@hubbub/core';
import { postableChannel, readableChannel } from './channel-access';
import type { AppDeps } from './context';
import { take } from './limits';

/** Where an attachment's thumbnail sits in the BlobStore (its bytes sit under its id). */
export const thumbnailKey = (attachmentId: string) => `${attachmentId}.thumb`;

/** The BlobStore keys of an attachment: its bytes, and its thumbnail's when it has one. */
export const blobKeysOf = (file: Pick<Attachment, 'id' | 'thumbnail'>): string[] =>
  file.thumbnail ? [file.id, thumbnailKey(file.id)] : [file.id];

/**
 * Deletes the files of deleted messages: their rows, then their bytes (not in
 * the database's transaction). A failure here leaves the message deleted; rows
 * left behind are removed by the stale-upload sweep.
 */
export async function deleteFilesOf(deps: AppDeps, messageIds: readonly string[]): Promise<void> {
  try {
    const removed = await deps.stores.attachments.deleteByMessages(messageIds);
    if (removed.length > 0) await deps.stores.blobs.delete(removed.flatMap(blobKeysOf));
  } catch {
    // The message is gone either way; the sweep (removeStale) finds rows whose message is gone.
  }
}

interface Caller {
  deps: AppDeps;
  user: User;
}

/** May the caller upload to this channel now: within their upload budget, a member, not archived. */
export async function assertCanUpload(ctx: Caller, channelId: string): Promise<void> {
  await take(ctx.deps.rateLimits.uploads, ctx.user.id, 'too many uploads');
  await postableChannel(ctx, channelId);
}

/**
 * A file the caller may download, checked now (a member who left has lost it):
 * an upload not yet sent is its uploader's only; a sent one is for whoever may
 * read its channel. Anything else is NOT_FOUND, exactly like an id that never existed.
 */
export async function readableFile(ctx: Caller, attachmentId: string): Promise<StoredAttachment> {
  const file = await ctx.deps.stores.attachments.byId(attachmentId);
  if (!file) throw notFound('file');
  if (file.messageId === null) {
    if (file.uploaderId !== ctx.user.id) throw notFound('file');
    return file;
  }
  try {
    await readableChannel(ctx, file.channelId);
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') throw notFound('file');
    throw error;
  }
  return file;
}
