import type { Message, MessageMeta, MessagePatch, NewChannel, NewMessage } from '@hubbub/core';
import { newId } from './ids';
import { isoNow } from './time';

/**
 * The rows and columns both chat stores write; `encode` stores JSON the
 * dialect's way (rows.ts: toText, toValue).
 */

export const newChannelRow = (input: NewChannel) => ({
  id: newId(),
  slug: input.slug,
  name: input.name,
  topic: input.topic ?? null,
  visibility: input.visibility,
  kind: input.kind ?? 'channel',
  dmKey: input.dmKey ?? null,
  createdBy: input.createdBy,
  createdAt: isoNow(),
});

/** A new message: its seq is the offset of its creation event. */
export const newMessageRow = <Meta>(
  input: NewMessage,
  offset: number,
  createdAt: string,
  encode: (meta: MessageMeta | undefined) => Meta,
) => ({
  id: newId(),
  channelId: input.channelId,
  seq: offset,
  authorId: input.authorId,
  role: input.role ?? 'user',
  status: input.status ?? 'complete',
  content: input.content,
  clientId: input.clientId ?? null,
  meta: encode(input.meta),
  createdAt,
});

/** The columns an edit writes: meta merges into the stored meta; `edited` (a person's edit) sets editedAt. */
export const messagePatchColumns = <Meta>(
  before: Message,
  patch: MessagePatch,
  encode: (meta: MessageMeta) => Meta,
) => ({
  ...(patch.content !== undefined ? { content: patch.content } : {}),
  ...(patch.status !== undefined ? { status: patch.status } : {}),
  ...(patch.meta !== undefined ? { meta: encode({ ...before.meta, ...patch.meta }) } : {}),
  ...(patch.edited ? { editedAt: isoNow() } : {}),
});
