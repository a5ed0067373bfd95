import type Database from 'better-sqlite3';

/**
 * Messages waiting for the search index (migration 0008): a send notes its row in
 * messages_fts_pending instead of writing FTS5's segment in its own transaction. `indexAll` takes
 * the whole backlog into messages_fts in one transaction: the chat store calls it every
 * `SEARCH_BATCH` sends, the search store before every search, so a search finds every stored message.
 */
export interface SearchBacklog {
  /** Indexes every waiting message; nothing to do costs one indexed read. */
  indexAll(): void;
}

/** Sends between two passes of the chat store: one FTS5 segment for this many messages instead of one each. */
export const SEARCH_BATCH = 64;

export function createSearchBacklog(raw: Database.Database): SearchBacklog {
  const anyWaiting = raw.prepare('select 1 from messages_fts_pending limit 1').pluck();
  const index = raw.prepare(
    `insert into messages_fts(rowid, content)
     select m.rowid, m.content from messages_fts_pending p join messages m on m.rowid = p.rowid`,
  );
  const clear = raw.prepare('delete from messages_fts_pending');
  const indexWaiting = raw.transaction(() => {
    index.run();
    clear.run();
  });
  return {
    indexAll() {
      if (anyWaiting.get() !== undefined) indexWaiting();
    },
  };
}
