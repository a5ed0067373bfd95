import type { MessageMeta, TodoItem } from '@hubbub/core';
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * PostgreSQL mirror of `../sqlite/schema.ts`: same tables, same columns, same
 * meaning. Differences that PostgreSQL asks for:
 * - times are `timestamptz(3)` (real instants the database can compare and
 *   bucket) read back as the ISO-8601 strings the ports speak;
 * - JSON values are `jsonb`, passed through as-is (drizzle's own `jsonb`
 *   re-parses JSON text it gets back, which turns a stored string "42" into 42);
 * - stream offsets and sequence numbers are `bigint` (read as JS numbers);
 * - the clientId index coalesces a missing author, because a unique index
 *   treats NULLs as distinct and author-less sends must be idempotent too.
 */

/** "2030-01-02 03:04:05.123+00" (PostgreSQL's text form) → "2030-01-02T03:04:05.123Z". */
export function pgTimestampToIso(value: string | Date): string {
  if (value instanceof Date) return value.toISOString();
  const normalized = value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const date = new Date(normalized);
  if (Number.isNaN(date.getTime())) throw new Error(`unreadable timestamp from PostgreSQL: ${value}`);
  return date.toISOString();
}

/** A point in time with millisecond precision, an ISO-8601 string in TypeScript. */
const isoTimestamp = customType<{ data: string; driverData: string }>({
  dataType: () => 'timestamp (3) with time zone',
  fromDriver: pgTimestampToIso,
});

/** jsonb that keeps every JSON value as it was written (postgres.js parses it on the way in). */
const jsonValue = <T>(name: string) =>
  customType<{ data: T; driverData: string }>({
    dataType: () => 'jsonb',
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (value) => value as unknown as T,
  })(name);

const int53 = (name: string) => bigint(name, { mode: 'number' });

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** Raw bytes (postgres.js reads and writes them as Buffers). */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  handle: text('handle').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role', { enum: ['admin', 'member', 'agent'] }).notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: isoTimestamp('created_at').notNull(),
  /** Offset of the newest event in this user's own stream (user.onEvent); locked like a channel's. */
  lastEventOffset: int53('last_event_offset').notNull().default(0),
});

export const channels = pgTable('channels', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  topic: text('topic'),
  visibility: text('visibility', { enum: ['public', 'private'] }).notNull(),
  /** A direct conversation is a private channel of kind "dm", one per set of people. */
  kind: text('kind', { enum: ['channel', 'dm'] })
    .notNull()
    .default('channel'),
  /** The direct conversation's people, their ids sorted and joined: dm.open finds it again by them. */
  dmKey: text('dm_key').unique(),
  createdBy: text('created_by'),
  /**
   * Offset of the newest event in this channel's stream. Every writing
   * transaction bumps it with `UPDATE … RETURNING`, which also locks the row
   * until commit: offsets are gap-free and commit in order across instances.
   */
  lastOffset: int53('last_offset').notNull().default(0),
  lastMessageAt: isoTimestamp('last_message_at'),
  archivedAt: isoTimestamp('archived_at'),
  createdAt: isoTimestamp('created_at').notNull(),
});

export const channelMembers = pgTable(
  'channel_members',
  {
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role', { enum: ['owner', 'member'] }).notNull(),
    joinedAt: isoTimestamp('joined_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] }), index('channel_members_user').on(t.userId)],
);

export const messages = pgTable(
  'messages',
  {
    id: text('id').primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    /** The offset of the message's creation event: unique and ordered within the channel. */
    seq: int53('seq').notNull(),
    authorId: text('author_id'),
    role: text('role', { enum: ['user', 'assistant', 'system'] }).notNull(),
    status: text('status', { enum: ['complete', 'streaming', 'cancelled', 'failed'] }).notNull(),
    content: text('content').notNull(),
    clientId: text('client_id'),
    meta: jsonValue<MessageMeta>('meta'),
    createdAt: isoTimestamp('created_at').notNull(),
    editedAt: isoTimestamp('edited_at'),
    /** A thread reply's root message id; null for a message in the channel itself. */
    threadId: text('thread_id'),
    /** A thread reply also shown in the channel ("Also send to channel"). */
    alsoInChannel: boolean('also_in_channel').notNull().default(false),
    /** A thread root's replies: how many, the newest one's time, and its latest repliers' ids (newest first). */
    replyCount: integer('reply_count').notNull().default(0),
    lastReplyAt: isoTimestamp('last_reply_at'),
    repliers: jsonValue<string[]>('repliers'),
    /** Full-text search: the content's words (English stemming), kept by PostgreSQL itself. SQLite's twin is FTS5's messages_fts. */
    search: tsvector('search').generatedAlwaysAs(sql`to_tsvector('english', content)`),
  },
  (t) => [
    uniqueIndex('messages_channel_seq').on(t.channelId, t.seq),
    // Replies only: a message in the channel itself (most of them) writes no entry in this index.
    index('messages_thread').on(t.threadId, t.seq).where(sql`${t.threadId} is not null`),
    index('messages_search').using('gin', t.search),
    // Rows without a clientId never collide (NULL client_id); a NULL author counts as one author.
    uniqueIndex('messages_client_id').on(t.channelId, sql`coalesce(${t.authorId}, '')`, t.clientId),
  ],
);

/**
 * The channel stream. Message events keep only the message id and are
 * hydrated from `messages` on replay, so an edit or delete never leaves an old
 * copy of the text behind.
 */
export const channelEvents = pgTable(
  'channel_events',
  {
    channelId: text('channel_id').notNull(),
    offset: int53('offset').notNull(),
    type: text('type').notNull(),
    messageId: text('message_id'),
    payload: jsonValue<unknown>('payload'),
    createdAt: isoTimestamp('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.offset] })],
);

/** Named counters: the task stream's offsets (one row, locked by each writing transaction). */
export const counters = pgTable('counters', {
  name: text('name').primaryKey(),
  value: int53('value').notNull(),
});

/** Agent and script identities: a key acts as its own user (role agent or member). */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  role: text('role', { enum: ['agent', 'member'] }).notNull(),
  prefix: text('prefix').notNull(),
  /** SHA-256 of the key's secret part: keys are random, so a slow hash adds nothing. */
  secretHash: text('secret_hash').notNull(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id),
  createdBy: text('created_by').notNull(),
  createdAt: isoTimestamp('created_at').notNull(),
  lastUsedAt: isoTimestamp('last_used_at'),
  revokedAt: isoTimestamp('revoked_at'),
  /** The agent names this key may claim tasks for; null = just its own name. */
  agents: jsonValue<string[]>('agents'),
});

/**
 * Sign-in sessions. Every user token names its session: ending the session
 * (logout, logout everywhere) ends every token minted for it, and a session
 * has an absolute lifetime however often its tokens are refreshed.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    /** SHA-256 of the refresh secret (the browser's HttpOnly cookie). */
    secretHash: text('secret_hash').notNull(),
    createdAt: isoTimestamp('created_at').notNull(),
    expiresAt: isoTimestamp('expires_at').notNull(),
    revokedAt: isoTimestamp('revoked_at'),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

export const tasks = pgTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    /** The offset of the task's run_created event: creation order. */
    seq: int53('seq').notNull().unique(),
    title: text('title').notNull(),
    agent: text('agent'),
    status: text('status', {
      enum: ['queued', 'in_progress', 'awaiting_approval', 'completed', 'failed', 'cancelled'],
    }).notNull(),
    input: jsonValue<unknown>('input'),
    /** Input and result are shown only to the creator, the worker and admins. */
    sensitive: boolean('sensitive').notNull().default(false),
    progressCurrent: integer('progress_current').notNull().default(0),
    progressTotal: integer('progress_total'),
    progressStep: text('progress_step'),
    error: text('error'),
    result: jsonValue<unknown>('result'),
    createdBy: text('created_by'),
    workerId: text('worker_id'),
    createdAt: isoTimestamp('created_at').notNull(),
    startedAt: isoTimestamp('started_at'),
    completedAt: isoTimestamp('completed_at'),
    updatedAt: isoTimestamp('updated_at').notNull(),
    /** Last call from the worker (ms epoch): stale-run detection. */
    heartbeatAt: int53('heartbeat_at'),
    logsDropped: integer('logs_dropped').notNull().default(0),
    logSeq: integer('log_seq').notNull().default(0),
  },
  (t) => [index('tasks_status_agent').on(t.status, t.agent, t.seq), index('tasks_completed').on(t.completedAt)],
);

export const taskLogs = pgTable(
  'task_logs',
  {
    taskId: text('task_id').notNull(),
    seq: integer('seq').notNull(),
    at: isoTimestamp('at').notNull(),
    line: text('line').notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.seq] })],
);

export const approvals = pgTable(
  'approvals',
  {
    id: text('id').primaryKey(),
    /** Insertion order: PostgreSQL has no rowid to break ties between equal request times. */
    seq: int53('seq').notNull().generatedAlwaysAsIdentity(),
    taskId: text('task_id').notNull(),
    action: text('action').notNull(),
    detail: text('detail'),
    status: text('status', { enum: ['pending', 'approved', 'rejected'] }).notNull(),
    comment: text('comment'),
    requestedAt: isoTimestamp('requested_at').notNull(),
    decidedAt: isoTimestamp('decided_at'),
    decidedBy: text('decided_by'),
  },
  (t) => [index('approvals_task').on(t.taskId, t.seq)],
);

/** The task stream: snapshots of the task (and approval) at each change. */
export const taskEvents = pgTable(
  'task_events',
  {
    offset: int53('offset').primaryKey(),
    taskId: text('task_id').notNull(),
    type: text('type').notNull(),
    payload: jsonValue<unknown>('payload').notNull(),
    createdAt: isoTimestamp('created_at').notNull(),
  },
  (t) => [index('task_events_task').on(t.taskId, t.offset)],
);

/** A person's own stream (user.onEvent): what concerns them alone, at gap-free offsets per user. */
export const userEvents = pgTable(
  'user_events',
  {
    userId: text('user_id').notNull(),
    offset: int53('offset').notNull(),
    type: text('type').notNull(),
    payload: jsonValue<unknown>('payload').notNull(),
    createdAt: isoTimestamp('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.offset] })],
);

/** How far each member has read each channel: the `seq` of the last message read. */
export const readPositions = pgTable(
  'read_positions',
  {
    userId: text('user_id').notNull(),
    channelId: text('channel_id').notNull(),
    seq: int53('seq').notNull(),
    updatedAt: isoTimestamp('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId] })],
);

/** Who a message mentions (by @handle, or everyone by @channel): the mention counts come from here. */
export const mentions = pgTable(
  'mentions',
  {
    userId: text('user_id').notNull(),
    messageId: text('message_id').notNull(),
    channelId: text('channel_id').notNull(),
    seq: int53('seq').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.messageId] }),
    index('mentions_user_channel').on(t.userId, t.channelId, t.seq),
    index('mentions_message').on(t.messageId),
  ],
);

/** Who reacted to a message with which emoji: one row each, deleted with the message. */
export const reactions = pgTable(
  'reactions',
  {
    messageId: text('message_id').notNull(),
    userId: text('user_id').notNull(),
    emoji: text('emoji').notNull(),
    createdAt: isoTimestamp('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.userId, t.emoji] }), index('reactions_message').on(t.messageId)],
);

/** Web Push subscriptions: one per browser (its push service endpoint), owned by the user who made it. */
export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    endpoint: text('endpoint').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    createdAt: isoTimestamp('created_at').notNull(),
  },
  (t) => [index('push_subscriptions_user').on(t.userId)],
);

/** What a person wants to be notified about, overall and per channel. */
export const notificationSettings = pgTable('notification_settings', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id),
  level: text('level', { enum: ['all', 'mentions', 'nothing'] }).notNull(),
  updatedAt: isoTimestamp('updated_at').notNull(),
});

/** Channels a person muted: no notifications from them (mentions of them still count as unread). */
export const channelMutes = pgTable(
  'channel_mutes',
  {
    userId: text('user_id').notNull(),
    channelId: text('channel_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId] })],
);

/** Mirror of SQLite's `attachments`. */
export const attachments = pgTable(
  'attachments',
  {
    id: text('id').primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    messageId: text('message_id'),
    uploaderId: text('uploader_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    width: integer('width'),
    height: integer('height'),
    hasThumbnail: boolean('has_thumbnail').notNull().default(false),
    createdAt: isoTimestamp('created_at').notNull(),
  },
  (t) => [index('attachments_message').on(t.messageId), index('attachments_uploader').on(t.uploaderId, t.createdAt)],
);

/**
 * Attachment bytes in cluster mode, so every instance serves every file
 * (SQLite mode keeps them as files in the data directory instead).
 */
export const blobs = pgTable('blobs', {
  key: text('key').primaryKey(),
  data: bytea('data').notNull(),
  createdAt: isoTimestamp('created_at').notNull(),
});

/** Mirror of SQLite's `agents`. */
export const agents = pgTable('agents', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id),
  instructions: text('instructions').notNull(),
  model: text('model'),
  tools: jsonValue<string[]>('tools').notNull(),
  approval: jsonValue<Record<string, 'ask' | 'auto'>>('approval').notNull(),
  avatar: text('avatar'),
  createdBy: text('created_by'),
  updatedAt: isoTimestamp('updated_at').notNull(),
});

/** Mirror of SQLite's `channel_todos`. */
export const channelTodos = pgTable('channel_todos', {
  channelId: text('channel_id')
    .primaryKey()
    .references(() => channels.id, { onDelete: 'cascade' }),
  items: jsonValue<TodoItem[]>('items').notNull(),
  updatedAt: isoTimestamp('updated_at').notNull(),
  updatedBy: text('updated_by'),
});
