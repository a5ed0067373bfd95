import {
  AppError,
  type ChannelPatch,
  type Message,
  type MessageMeta,
  type MessagePatch,
  type NewChannel,
  type NewMessage,
  notFound,
  THREAD_LIMITS,
  type ThreadSummary,
} from '@hubbub/core';
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

/** What a deleted thread root keeps: no words, no meta but the mark (its replies' summary columns stay). */
export const deletedRootColumns = <J>(encode: (meta: MessageMeta) => J) => ({
  content: '',
  meta: encode({ deleted: true }),
});

/** A deleted root as its message.updated event carries it: its files and reactions are gone with it. */
export function asDeletedRoot(message: Message): Message {
  const { attachments: _files, reactions: _reactions, ...rest } = message;
  return rest;
}

/** The channel columns a change may set: the archive time, and what channel.update changes. */
export type ChannelFields = ChannelPatch & { archivedAt?: string | null };

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
  threadId: input.threadId ?? null,
  alsoInChannel: Boolean(input.threadId && input.alsoInChannel),
});

/** What a send into a thread checks of its root, read in the send's transaction. */
export function assertThreadRoot(
  root: { channelId: string; threadId: string | null } | null | undefined,
  channelId: string,
): void {
  // A root elsewhere is "not found" like an unknown id: a thread id reveals nothing of another channel.
  if (!root || root.channelId !== channelId) throw notFound('message');
  if (root.threadId)
    throw new AppError('BAD_REQUEST', "a reply has no thread of its own: reply in its first message's thread");
}

/**
 * Who a new reply notifies: the root's author and the thread's earlier repliers (`earlier`, first
 * reply first), not the reply's own author; at most THREAD_LIMITS.followers.
 */
export function threadFollowers(rootAuthorId: string | null, earlier: readonly string[], authorId: string | null) {
  const all = new Set([rootAuthorId, ...earlier]);
  all.delete(authorId);
  all.delete(null);
  return [...all].slice(0, THREAD_LIMITS.followers) as string[];
}

/**
 * The thread's followers before a new reply, from its latest reply alone (one indexed row, however
 * long the thread): those it told, and its author. By induction that is everyone who replied
 * (a deleted reply's author drops out unless they replied again).
 */
export function followersBefore(latest: { authorId: string | null; meta: MessageMeta | null } | undefined): string[] {
  if (!latest) return [];
  return [...(latest.meta?.threadFollowers ?? []), ...(latest.authorId ? [latest.authorId] : [])];
}

/** The meta a reply is stored with: its followers beside the mentions the caller found. */
export function replyMeta(meta: MessageMeta | undefined, followers: string[]): MessageMeta | undefined {
  return followers.length > 0 ? { ...meta, threadFollowers: followers } : meta;
}

/** The users a message's mention rows are for: those it mentions and, for a reply, its thread's followers. */
export const mentionRowUsers = (meta: MessageMeta | undefined) => [
  ...new Set([...(meta?.mentions ?? []), ...(meta?.threadFollowers ?? [])]),
];

/** A root's summary after one more reply, and its columns (read-modify-write under the root's lock). */
export function summaryAfterReply<Json>(
  root: { replyCount: number; repliers: string[] },
  reply: { authorId: string | null; createdAt: string },
  encode: (repliers: string[]) => Json,
) {
  const repliers = reply.authorId
    ? [reply.authorId, ...root.repliers.filter((id) => id !== reply.authorId)].slice(0, THREAD_LIMITS.repliers)
    : root.repliers;
  const thread: ThreadSummary = { replyCount: root.replyCount + 1, lastReplyAt: reply.createdAt, repliers };
  return {
    thread,
    columns: { replyCount: thread.replyCount, lastReplyAt: thread.lastReplyAt, repliers: encode(repliers) },
  };
}

/**
 * A root's summary columns recounted from the replies left (after one is deleted): their count,
 * the newest one's time, and the latest repliers (`latestRepliers`: newest first, already bounded).
 */
export function summaryFromReplies<Json>(
  left: { count: number; lastReplyAt: string | null },
  latestRepliers: string[],
  encode: (repliers: string[] | undefined) => Json,
) {
  return left.count > 0
    ? { replyCount: left.count, lastReplyAt: left.lastReplyAt, repliers: encode(latestRepliers) }
    : { replyCount: 0, lastReplyAt: null, repliers: encode(undefined) };
}

/** The thread.updated change for a root as it now is. */
export const threadChange = (root: Message) => ({
  type: 'thread.updated' as const,
  messageId: root.id,
  thread: (root.thread ?? null) as ThreadSummary | null,
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
