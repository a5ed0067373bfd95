/**
 * Rows (SQLite or PostgreSQL: the same column names) → domain objects. The
 * dialects differ only in how JSON is stored: text on SQLite, a value on
 * PostgreSQL — hence `json` (and parseText / toText, asValue / toValue).
 */
import {
  type ApiKey,
  type Channel,
  type Member,
  type Message,
  type MessageMeta,
  TASK_STATUSES,
  type Task,
  type TaskStats,
  type TaskStatus,
} from '@hubbub/core';

export type Json = (stored: unknown) => unknown;

export interface ChannelRow {
  id: string;
  slug: string;
  name: string;
  topic: string | null;
  visibility: 'public' | 'private';
  kind: 'channel' | 'dm';
  createdBy: string | null;
  memberCount: number | string;
  lastMessageAt: string | null;
  archivedAt: string | null;
  createdAt: string;
  lastOffset: number;
}

/** A channel's access row (the channel joined with one person's membership) as the permission rules take it. */
export const accessOf = (r: Pick<Channel, 'visibility' | 'archivedAt'> & { role: Member['role'] | null }) => ({
  channel: { visibility: r.visibility, archivedAt: r.archivedAt },
  membership: r.role ? { role: r.role } : null,
});

export const toChannel = (r: ChannelRow): Channel => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  topic: r.topic,
  visibility: r.visibility,
  kind: r.kind,
  createdBy: r.createdBy,
  memberCount: Number(r.memberCount),
  lastMessageAt: r.lastMessageAt,
  archivedAt: r.archivedAt,
  createdAt: r.createdAt,
  lastOffset: r.lastOffset,
});

export interface MessageRow {
  id: string;
  seq: number;
  channelId: string;
  authorId: string | null;
  authorHandle: string | null;
  authorName: string | null;
  role: Message['role'];
  status: Message['status'];
  content: string;
  clientId: string | null;
  meta: unknown;
  createdAt: string;
  editedAt: string | null;
  threadId: string | null;
  alsoInChannel: boolean;
  replyCount: number;
  lastReplyAt: string | null;
  repliers: unknown;
}

/** A thread's place on a message, only where there is one: the wire stays small. */
const threadFields = (r: MessageRow, json: Json): Pick<Message, 'threadId' | 'alsoInChannel' | 'thread'> => ({
  ...(r.threadId ? { threadId: r.threadId } : {}),
  ...(r.alsoInChannel ? { alsoInChannel: true as const } : {}),
  ...(r.replyCount > 0 && r.lastReplyAt
    ? {
        thread: {
          replyCount: r.replyCount,
          lastReplyAt: r.lastReplyAt,
          repliers: (json(r.repliers) as string[] | null) ?? [],
        },
      }
    : {}),
});

export const toMessage = (r: MessageRow, json: Json): Message => ({
  id: r.id,
  seq: r.seq,
  channelId: r.channelId,
  authorId: r.authorId,
  author: r.authorHandle ? { handle: r.authorHandle, displayName: r.authorName ?? r.authorHandle } : null,
  role: r.role,
  status: r.status,
  content: r.content,
  clientId: r.clientId,
  meta: (json(r.meta) as MessageMeta | null) ?? null,
  createdAt: r.createdAt,
  editedAt: r.editedAt,
  ...threadFields(r, json),
});

/** A message row as a send writes it (chat-writes.ts's newMessageRow). */
export type SentRow = Omit<
  MessageRow,
  'authorHandle' | 'authorName' | 'editedAt' | 'replyCount' | 'lastReplyAt' | 'repliers'
>;

/**
 * The message a send just stored, by its author's handle and name (null for none): never edited, no replies
 * yet. One literal, not spreads of the row (a send builds one per message; spreads fall to V8's slow path).
 */
export const sentMessage = (
  row: SentRow,
  author: { authorHandle: string | null; authorName: string | null },
  json: Json,
): Message =>
  toMessage(
    {
      id: row.id,
      seq: row.seq,
      channelId: row.channelId,
      authorId: row.authorId,
      authorHandle: author.authorHandle,
      authorName: author.authorName,
      role: row.role,
      status: row.status,
      content: row.content,
      clientId: row.clientId,
      meta: row.meta,
      createdAt: row.createdAt,
      editedAt: null,
      threadId: row.threadId,
      alsoInChannel: row.alsoInChannel,
      replyCount: 0,
      lastReplyAt: null,
      repliers: null,
    },
    json,
  );

export interface TaskRow {
  id: string;
  seq: number;
  title: string;
  agent: string | null;
  status: TaskStatus;
  input: unknown;
  progressCurrent: number;
  progressTotal: number | null;
  progressStep: string | null;
  error: string | null;
  result: unknown;
  createdBy: string | null;
  workerId: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  updatedAt: string;
  logsDropped: number;
  sensitive: boolean;
}

export const toTask = (r: TaskRow, json: Json): Task => ({
  id: r.id,
  seq: r.seq,
  title: r.title,
  agent: r.agent,
  status: r.status,
  input: json(r.input) ?? null,
  progress: { current: r.progressCurrent, total: r.progressTotal, step: r.progressStep },
  error: r.error,
  result: json(r.result) ?? null,
  createdBy: r.createdBy,
  workerId: r.workerId,
  createdAt: r.createdAt,
  startedAt: r.startedAt,
  completedAt: r.completedAt,
  updatedAt: r.updatedAt,
  logsDropped: r.logsDropped,
  sensitive: r.sensitive,
  redacted: false,
});

export interface ApiKeyRow {
  id: string;
  name: string;
  role: ApiKey['role'];
  userId: string;
  prefix: string;
  secretHash: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  agents: unknown;
}

/** Field by field, so a new column never reaches an answer unnoticed; no stored agents means the key's own name. */
export const toApiKeyWithSecret = (r: ApiKeyRow, json: Json): ApiKey & { secretHash: string } => ({
  id: r.id,
  name: r.name,
  role: r.role,
  userId: r.userId,
  prefix: r.prefix,
  createdBy: r.createdBy,
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt,
  revokedAt: r.revokedAt,
  agents: (json(r.agents) as string[] | null) ?? [r.name],
  secretHash: r.secretHash,
});

export const toApiKey = (r: ApiKeyRow, json: Json): ApiKey => {
  const { secretHash: _, ...key } = toApiKeyWithSecret(r, json);
  return key;
};

/** JSON stored as text (SQLite). */
export const parseText: Json = (stored) => (stored == null ? null : JSON.parse(stored as string));
/** A value to store as JSON text (SQLite); undefined stores nothing. */
export const toText = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
/** JSON stored as a value (PostgreSQL jsonb). */
export const asValue: Json = (stored) => stored ?? null;
/** A value to store as jsonb (PostgreSQL: the column encodes it); undefined stores nothing. */
export const toValue = <T>(value: T | undefined): T | null => value ?? null;

/**
 * The stats window: the 60 whole minutes up to `nowMs` (the current one
 * included), so "the last hour" and the per-minute chart always agree.
 */
export function statsWindow(nowMs: number) {
  const start = Math.floor(nowMs / 60_000) * 60_000 - 59 * 60_000;
  return { start, from: new Date(start).toISOString(), until: new Date(start + 60 * 60_000).toISOString() };
}

/** Assembles TaskStats from per-status counts and finished runs per (UTC minute "YYYY-MM-DDTHH:MM", status). */
export function assembleStats(
  nowMs: number,
  statusCounts: { status: TaskStatus; n: number }[],
  finishedPerMinute: { minute: string; status: TaskStatus; n: number }[],
): TaskStats {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as TaskStats['counts'];
  for (const row of statusCounts) counts[row.status] = Number(row.n);
  const byMinute = new Map<string, { completed: number; failed: number }>();
  const lastHour = { completed: 0, failed: 0 };
  for (const row of finishedPerMinute) {
    const bucket = byMinute.get(row.minute) ?? { completed: 0, failed: 0 };
    if (row.status === 'completed' || row.status === 'failed') {
      bucket[row.status] += Number(row.n);
      lastHour[row.status] += Number(row.n);
    }
    byMinute.set(row.minute, bucket);
  }
  const perMinute = [];
  for (let t = statsWindow(nowMs).start; t <= nowMs; t += 60_000) {
    const key = new Date(t).toISOString().slice(0, 16);
    perMinute.push({ minute: key, ...(byMinute.get(key) ?? { completed: 0, failed: 0 }) });
  }
  return { counts, lastHour, perMinute };
}
