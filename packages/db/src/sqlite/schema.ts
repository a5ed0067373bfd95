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
});

export const channels = sqliteTable('channels', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  topic: text('topic'),
  visibility: text('visibility', { enum: ['public', 'private'] }).notNull(),
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
  },
  (t) => [
    uniqueIndex('messages_channel_seq').on(t.channelId, t.seq),
    uniqueIndex('messages_client_id').on(t.channelId, t.authorId, t.clientId),
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
