import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  handle: text('handle').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role', { enum: ['admin', 'member', 'agent'] }).notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: text('created_at').notNull(),
  /** Offset of the newest event in this user's own stream (user.onEvent). */
  lastEventOffset: integer('last_event_offset').notNull().default(0),
});

export const channels = sqliteTable('channels', {
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
  /** Offset of the newest event in this channel's stream; bumped in every writing transaction. */
  lastOffset: integer('last_offset').notNull().default(0),
  lastMessageAt: text('last_message_at'),
  archivedAt: text('archived_at'),
  createdAt: text('created_at').notNull(),
});

export const channelMembers = sqliteTable(
  'channel_members',
  {
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role', { enum: ['owner', 'member'] }).notNull(),
    joinedAt: text('joined_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] }), index('channel_members_user').on(t.userId)],
);

export const messages = sqliteTable(
  'messages',
  {
    id: text('id').primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    /** The offset of the message's creation event: unique and ordered within the channel. */
    seq: integer('seq').notNull(),
    authorId: text('author_id'),
    role: text('role', { enum: ['user', 'assistant', 'system'] }).notNull(),
    status: text('status', { enum: ['complete', 'streaming', 'cancelled', 'failed'] }).notNull(),
    content: text('content').notNull(),
    clientId: text('client_id'),
    meta: text('meta'),
    createdAt: text('created_at').notNull(),
    editedAt: text('edited_at'),
    /** A thread reply's root message id; null for a message in the channel itself. */
    threadId: text('thread_id'),
    /** A thread reply also shown in the channel ("Also send to channel"). */
    alsoInChannel: integer('also_in_channel', { mode: 'boolean' }).notNull().default(false),
    /** A thread root's replies: how many, the newest one's time, and its latest repliers' ids (JSON, newest first). */
    replyCount: integer('reply_count').notNull().default(0),
    lastReplyAt: text('last_reply_at'),
    repliers: text('repliers'),
  },
  (t) => [
    uniqueIndex('messages_channel_seq').on(t.channelId, t.seq),
    uniqueIndex('messages_client_id').on(t.channelId, t.authorId, t.clientId),
    // Replies only: a message in the channel itself (most of them) writes no page of this index.
    index('messages_thread').on(t.threadId, t.seq).where(sql`${t.threadId} is not null`),
  ],
);

/**
 * The channel stream. Message events keep only the message id and are
 * hydrated from `messages` on replay, so an edit or delete never leaves an old
 * copy of the text behind.
 */
export const channelEvents = sqliteTable(
  'channel_events',
  {
    channelId: text('channel_id').notNull(),
    offset: integer('offset').notNull(),
    type: text('type').notNull(),
    messageId: text('message_id'),
    payload: text('payload'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.offset] })],
);

/** Named counters: the task stream's offsets. */
export const counters = sqliteTable('counters', {
  name: text('name').primaryKey(),
  value: integer('value').notNull(),
});

/** Agent and script identities: a key acts as its own user (role agent or member). */
export const apiKeys = sqliteTable('api_keys', {
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
  createdAt: text('created_at').notNull(),
  lastUsedAt: text('last_used_at'),
  revokedAt: text('revoked_at'),
  /** JSON array of the agent names this key may claim tasks for; null = just its own name. */
  agents: text('agents'),
});

/**
 * Sign-in sessions. Every user token names its session: ending the session
 * (logout, logout everywhere) ends every token minted for it, and a session
 * has an absolute lifetime however often its tokens are refreshed.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    /** SHA-256 of the refresh secret (the browser's HttpOnly cookie). */
    secretHash: text('secret_hash').notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    /** The offset of the task's run_created event: creation order. */
    seq: integer('seq').notNull().unique(),
    title: text('title').notNull(),
    agent: text('agent'),
    status: text('status', {
      enum: ['queued', 'in_progress', 'awaiting_approval', 'completed', 'failed', 'cancelled'],
    }).notNull(),
    input: text('input'),
    /** Input and result are shown only to the creator, the worker and admins. */
    sensitive: integer('sensitive', { mode: 'boolean' }).notNull().default(false),
    progressCurrent: integer('progress_current').notNull().default(0),
    progressTotal: integer('progress_total'),
    progressStep: text('progress_step'),
    error: text('error'),
    result: text('result'),
    createdBy: text('created_by'),
    workerId: text('worker_id'),
    createdAt: text('created_at').notNull(),
    startedAt: text('started_at'),
    completedAt: text('completed_at'),
    updatedAt: text('updated_at').notNull(),
    /** Last call from the worker (ms epoch): stale-run detection. */
    heartbeatAt: integer('heartbeat_at'),
    logsDropped: integer('logs_dropped').notNull().default(0),
    logSeq: integer('log_seq').notNull().default(0),
  },
  (t) => [index('tasks_status_agent').on(t.status, t.agent, t.seq), index('tasks_completed').on(t.completedAt)],
);

export const taskLogs = sqliteTable(
  'task_logs',
  {
    taskId: text('task_id').notNull(),
    seq: integer('seq').notNull(),
    at: text('at').notNull(),
    line: text('line').notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.seq] })],
);

export const approvals = sqliteTable(
  'approvals',
  {
    id: text('id').primaryKey(),
    taskId: text('task_id').notNull(),
    action: text('action').notNull(),
    detail: text('detail'),
    status: text('status', { enum: ['pending', 'approved', 'rejected'] }).notNull(),
    comment: text('comment'),
    requestedAt: text('requested_at').notNull(),
    decidedAt: text('decided_at'),
    decidedBy: text('decided_by'),
  },
  (t) => [index('approvals_task').on(t.taskId)],
);

/** The task stream: snapshots of the task (and approval) at each change. */
export const taskEvents = sqliteTable(
  'task_events',
  {
    offset: integer('offset').primaryKey(),
    taskId: text('task_id').notNull(),
    type: text('type').notNull(),
    payload: text('payload').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('task_events_task').on(t.taskId, t.offset)],
);

/** A person's own stream (user.onEvent): what concerns them alone, at gap-free offsets per user. */
export const userEvents = sqliteTable(
  'user_events',
  {
    userId: text('user_id').notNull(),
    offset: integer('offset').notNull(),
    type: text('type').notNull(),
    payload: text('payload').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.offset] })],
);

/** How far each member has read each channel: the `seq` of the last message read. */
export const readPositions = sqliteTable(
  'read_positions',
  {
    userId: text('user_id').notNull(),
    channelId: text('channel_id').notNull(),
    seq: integer('seq').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId] })],
);

/** Who a message mentions (by @handle, or everyone by @channel): the mention counts come from here. */
export const mentions = sqliteTable(
  'mentions',
  {
    userId: text('user_id').notNull(),
    messageId: text('message_id').notNull(),
    channelId: text('channel_id').notNull(),
    seq: integer('seq').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.messageId] }),
    index('mentions_user_channel').on(t.userId, t.channelId, t.seq),
    index('mentions_message').on(t.messageId),
  ],
);

/** Who reacted to a message with which emoji: one row each, deleted with the message. */
export const reactions = sqliteTable(
  'reactions',
  {
    messageId: text('message_id').notNull(),
    userId: text('user_id').notNull(),
    emoji: text('emoji').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.userId, t.emoji] }), index('reactions_message').on(t.messageId)],
);

/** Web Push subscriptions: one per browser (its push service endpoint), owned by the user who made it. */
export const pushSubscriptions = sqliteTable(
  'push_subscriptions',
  {
    endpoint: text('endpoint').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('push_subscriptions_user').on(t.userId)],
);

/** What a person wants to be notified about, overall and per channel. */
export const notificationSettings = sqliteTable('notification_settings', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id),
  level: text('level', { enum: ['all', 'mentions', 'nothing'] }).notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** Channels a person muted: no notifications from them (mentions of them still count as unread). */
export const channelMutes = sqliteTable(
  'channel_mutes',
  {
    userId: text('user_id').notNull(),
    channelId: text('channel_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId] })],
);

/**
 * Files attached to messages. The bytes live in the BlobStore under the
 * attachment's id; a row without a message is an upload not yet sent (removed
 * after a while). Deleted with its message.
 */
export const attachments = sqliteTable(
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
    /** Sniffed from the bytes, not taken from the upload's own claim. */
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    /** An image's pixel size (for layout before it loads); null for other files. */
    width: integer('width'),
    height: integer('height'),
    /** Whether a thumbnail was stored beside it (under `<id>.thumb`). */
    hasThumbnail: integer('has_thumbnail', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('attachments_message').on(t.messageId), index('attachments_uploader').on(t.uploaderId, t.createdAt)],
);

/** Agents' settings: an agent is a user of role "agent" (a member, a mention, a DM partner) with these beside it. */
export const agents = sqliteTable('agents', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id),
  instructions: text('instructions').notNull(),
  model: text('model'),
  /** JSON: the tool names it may call. */
  tools: text('tools').notNull(),
  /** JSON: per tool, "ask" (a person approves each call) or "auto". */
  approval: text('approval').notNull(),
  avatar: text('avatar'),
  createdBy: text('created_by'),
  updatedAt: text('updated_at').notNull(),
});

/**
 * A channel's plan (TodoList): the items in order as JSON (`[{ id, content, status }]`), replaced whole
 * by update_todos and changed one status at a time by todo.update. No row: no plan yet.
 */
export const channelTodos = sqliteTable('channel_todos', {
  channelId: text('channel_id')
    .primaryKey()
    .references(() => channels.id, { onDelete: 'cascade' }),
  items: text('items').notNull(),
  updatedAt: text('updated_at').notNull(),
  /** The user (an agent or a person) who made the last change. */
  updatedBy: text('updated_by'),
});
