import {
  isSearchable,
  type ParsedQuery,
  SEARCH_LIMITS,
  type SearchHit,
  type SearchRequest,
  type SearchStore,
  type SearchTerm,
} from '@hubbub/core';
import { inArray } from 'drizzle-orm';
import { searchPage } from '../search-page';
import { MARK_END, MARK_START } from '../search-snippet';
import { createMessageReads } from './message-reads';
import type { SqliteHandle } from './open';
import { channels } from './schema';
import { createSearchBacklog } from './search-backlog';

/** An FTS5 phrase: the words in double quotes (they are letters and digits only, so nothing inside is syntax). */
const fts5Term = (term: SearchTerm) => `"${term.words.join(' ').replaceAll('"', '""')}"${term.prefix ? '*' : ''}`;

/** The parsed query as an FTS5 expression: every included term, none of the excluded ones. */
export function toFts5Query(query: ParsedQuery): string {
  const include = query.include.map(fts5Term).join(' AND ');
  return query.exclude.reduce((expression, term) => `(${expression}) NOT ${fts5Term(term)}`, include);
}

type Filter = 'channelId' | 'authorId' | 'before' | 'after' | 'upTo';
const FILTER_SQL: Record<Filter, string> = {
  channelId: 'm.channel_id = @channelId',
  authorId: 'm.author_id = @authorId',
  before: 'm.created_at < @before',
  after: 'm.created_at > @after',
  upTo: 'm.id <= @upTo',
};

/**
 * The ranking query for a set of filters. Matches are read newest first
 * (FTS5 walks its doclists by rowid, which is insertion order) and only those
 * of channels the reader may read count towards the window; bm25 (lower is
 * better) then ranks the window. The window's newest id pins later pages.
 */
function rankingSql(filters: Filter[]): string {
  const where = filters.map((f) => `and ${FILTER_SQL[f]}`).join(' ');
  return `
    with readable as (
      select id from channels where visibility = 'public'
      union select channel_id from channel_members where user_id = @readerId
    ),
    matched as (
      select m.id as id, m.rowid as rid, bm25(messages_fts) as score
      from messages_fts join messages m on m.rowid = messages_fts.rowid
      where messages_fts match @match
        and m.channel_id in readable
        and m.status <> 'streaming' ${where}
      order by messages_fts.rowid desc
      limit @window
    )
    select id, rid, (select max(id) from matched) as upTo from matched
    order by score asc, id desc
    limit @limit offset @offset`;
}

// Every column but those the search never needs; the author's name for the hit.

/**
 * Message search on SQLite: the FTS5 table messages_fts (migration 0006), kept by triggers on edit and
 * delete; sends wait in a backlog (search-backlog.ts), which every search indexes first.
 */
export function createSqliteSearchStore(handle: SqliteHandle): SearchStore {
  const { db, raw } = handle;
  const reads = createMessageReads(db);
  const backlog = createSearchBacklog(raw);
  const rankings = new Map<string, ReturnType<typeof raw.prepare>>();
  const ranking = (filters: Filter[]) => {
    const key = filters.join(',');
    let statement = rankings.get(key);
    if (!statement) {
      statement = raw.prepare(rankingSql(filters));
      rankings.set(key, statement);
    }
    return statement;
  };
  // One pass of the full-text query over the page's rowid range marks the page's matches: a
  // statement per hit would evaluate the query (a prefix's merged doclist) once per hit. The casts
  // matter: better-sqlite3 binds a number as a REAL, and FTS5 then ignores a rowid constraint.
  const marked = raw.prepare(
    `select rowid as rid, highlight(messages_fts, 0, '${MARK_START}', '${MARK_END}') as marked
     from messages_fts
     where messages_fts match @match
       and rowid >= cast(@low as integer) and rowid <= cast(@high as integer)
       and rowid in (select value from json_each(@rids))`,
  );
  const markedOf = (match: string, rids: number[]) => {
    if (rids.length === 0) return new Map<number, string>();
    const rows = marked.all({
      match,
      low: Math.min(...rids),
      high: Math.max(...rids),
      rids: JSON.stringify(rids),
    }) as { rid: number; marked: string }[];
    return new Map(rows.map((row) => [row.rid, row.marked]));
  };

  return {
    async search(request: SearchRequest) {
      if (!isSearchable(request.query)) return { hits: [], nextCursor: null };
      backlog.indexAll();
      const match = toFts5Query(request.query);
      const offset = request.cursor?.offset ?? 0;
      const params = {
        readerId: request.readerId,
        match,
        window: SEARCH_LIMITS.window,
        limit: request.limit + 1,
        offset,
        channelId: request.channelId,
        authorId: request.authorId,
        before: request.before,
        after: request.after,
        upTo: request.cursor?.upTo,
      };
      const filters = (Object.keys(FILTER_SQL) as Filter[]).filter((f) => params[f] !== undefined);
      const ranked = ranking(filters).all(
        Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)),
      ) as { id: string; rid: number; upTo: string }[];
      const page = ranked.slice(0, request.limit);
      const byId = new Map(reads.byIds(page.map((r) => r.id)).map((m) => [m.id, m]));
      const channelsById = loadChannels([...new Set([...byId.values()].map((m) => m.channelId))]);
      const marks = markedOf(
        match,
        page.map((row) => row.rid),
      );
      return searchPage(
        request,
        ranked,
        (row) => {
          const message = byId.get(row.id);
          return message && { message, marked: marks.get(row.rid) ?? null };
        },
        channelsById,
      );
    },
  };

  function loadChannels(ids: string[]) {
    if (ids.length === 0) return new Map<string, SearchHit['channel']>();
    const rows = db
      .select({ id: channels.id, slug: channels.slug, name: channels.name, kind: channels.kind })
      .from(channels)
      .where(inArray(channels.id, ids))
      .all();
    return new Map(rows.map((row) => [row.id, row]));
  }
}
