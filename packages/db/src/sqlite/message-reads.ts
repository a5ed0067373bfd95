import type { Message } from '@hubbub/core';
import { asc, eq, getTableColumns, type Placeholder, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { groupAttachments, withAttachments } from '../attachments';
import { groupReactions, withReactions } from '../reactions';
import { parseText, toMessage } from '../rows';
import type { SqliteDb } from './open';
import { attachments, messages, reactions, users } from './schema';

/** A message row with its author's handle and name: what toMessage reads. */
export const messageColumns = {
  ...getTableColumns(messages),
  authorHandle: users.handle,
  authorName: users.displayName,
};

/** `column` is one of the ids given as a JSON array: a list of any length in one prepared statement. */
const inJsonList = (column: SQLiteColumn, list: Placeholder) =>
  sql`${column} in (select value from json_each(${list}))`;

export interface MessageReads {
  /** Messages as every read returns them (the chat store's and search's): with their reactions and their files. */
  hydrate(list: Message[]): Message[];
  /** The messages with these ids, hydrated, in no particular order. */
  byIds(ids: readonly string[]): Message[];
  /** The reactions of these messages, per message. */
  reactionsOf(ids: readonly string[]): ReturnType<typeof groupReactions>;
}

/**
 * The reads that hydrate messages, on statements prepared once per store (a
 * resume's replay and every history page run them; building and preparing
 * SQL per call cost more than running it). One connection: they are valid
 * inside transactions too.
 */
export function createMessageReads(db: SqliteDb): MessageReads {
  const ph = sql.placeholder;
  const messagesIn = db
    .select(messageColumns)
    .from(messages)
    .leftJoin(users, eq(users.id, messages.authorId))
    .where(inJsonList(messages.id, ph('ids')))
    .prepare();
  const reactionsIn = db
    .select()
    .from(reactions)
    .where(inJsonList(reactions.messageId, ph('ids')))
    .orderBy(asc(reactions.createdAt), asc(reactions.userId), asc(reactions.emoji))
    .prepare();
  const attachmentsIn = db
    .select()
    .from(attachments)
    .where(inJsonList(attachments.messageId, ph('ids')))
    .orderBy(asc(attachments.createdAt), asc(attachments.id))
    .prepare();

  const reactionsOf = (ids: readonly string[]) => groupReactions(reactionsIn.all({ ids: JSON.stringify(ids) }));
  const hydrate = (list: Message[]) => {
    if (list.length === 0) return list;
    const ids = list.map((m) => m.id);
    const files = groupAttachments(attachmentsIn.all({ ids: JSON.stringify(ids) }));
    return withAttachments(withReactions(list, reactionsOf(ids)), files);
  };
  return {
    hydrate,
    reactionsOf,
    byIds: (ids) =>
      ids.length === 0
        ? []
        : hydrate(messagesIn.all({ ids: JSON.stringify(ids) }).map((row) => toMessage(row, parseText))),
  };
}
