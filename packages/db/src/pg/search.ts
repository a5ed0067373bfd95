import {
  isSearchable,
  type ParsedQuery,
  SEARCH_LIMITS,
  type SearchHit,
  type SearchRequest,
  type SearchStore,
  type SearchTerm,
} from '@hubbub/core';
import { eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { asValue, toMessage } from '../rows';
import { searchPage } from '../search-page';
import { MARK_END, MARK_START } from '../search-snippet';
import { hydrateMessages } from './chat-store';
import type { PgHandle } from './open';
import { channels, messages, users } from './schema';

/** A tsquery phrase: quoted lexemes (letters and digits only, so nothing inside is syntax) that follow each other. */
const tsTerm = (term: SearchTerm) =>
  term.words.map((word, i) => `'${word}'${term.prefix && i === term.words.length - 1 ? ':*' : ''}`).join(' <-> ');

/**
 * The parsed query as to_tsquery('english', …) text: every included term, none of
 * the excluded ones. Not websearch_to_tsquery: it has no prefix matching, which
 * search as you type needs; the words were already taken apart by parseSearchQuery.
 */
export function toTsQuery(query: ParsedQuery): string {
  return [...query.include.map((t) => `(${tsTerm(t)})`), ...query.exclude.map((t) => `!(${tsTerm(t)})`)].join(' & ');
}

type Filter = 'channelId' | 'authorId' | 'before' | 'after' | 'upTo';
/** Each filter's condition; $1–$5 are the query, the reader, the window, the limit and the offset. */
const FILTER_SQL: Record<Filter, (n: number) => string> = {
  channelId: (n) => `m.channel_id = $${n}`,
  authorId: (n) => `m.author_id = $${n}`,
  before: (n) => `m.created_at < $${n}::timestamptz`,
  after: (n) => `m.created_at > $${n}::timestamptz`,
  upTo: (n) => `m.id <= $${n}`,
};

/**
 * The ranking query. The window is the newest matches (ids are UUIDv7: newest
 * last; in one channel, its seq) of channels the reader may read; the planner
 * walks the primary key backwards for a common word and the GIN index for a
 * rare one, which is why this runs as an unnamed statement: planned for the
 * words it is given, never a generic plan. ts_rank then ranks the window.
 */
function rankingSql(filters: Filter[], inOneChannel: boolean): string {
  const where = filters.map((f, i) => `and ${FILTER_SQL[f](i + 6)}`).join(' ');
  return `
    with matched as (
      select m.id, m.search
      from messages m
      where m.search @@ to_tsquery('english', $1)
        and (m.channel_id in (select id from channels where visibility = 'public')
          or m.channel_id in (select channel_id from channel_members where user_id = $2))
        and m.status <> 'streaming' ${where}
      order by ${inOneChannel ? 'm.seq' : 'm.id'} desc
      limit $3
    )
    select id, (select max(id) from matched) as "upTo"
    from matched
    order by ts_rank(search, to_tsquery('english', $1)) desc, id desc
    limit $4 offset $5`;
}

// The search vector stays in the database: it is only matched against, never read.
const { search: _searchVector, ...messageTableColumns } = getTableColumns(messages);
const messageColumns = { ...messageTableColumns, authorHandle: users.handle, authorName: users.displayName };
const HEADLINE_OPTIONS = `HighlightAll=true, StartSel=${MARK_START}, StopSel=${MARK_END}`;

/** Message search on PostgreSQL: the generated tsvector messages.search and its GIN index (migration 0004). */
export function createPgSearchStore(handle: PgHandle): SearchStore {
  const { db, client } = handle;

  return {
    async search(request: SearchRequest) {
      if (!isSearchable(request.query)) return { hits: [], nextCursor: null };
      const tsquery = toTsQuery(request.query);
      const offset = request.cursor?.offset ?? 0;
      const optional: Record<Filter, string | undefined> = {
        channelId: request.channelId,
        authorId: request.authorId,
        before: request.before,
        after: request.after,
        upTo: request.cursor?.upTo,
      };
      const filters = (Object.keys(optional) as Filter[]).filter((f) => optional[f] !== undefined);
      const ranked = (await client.unsafe(
        rankingSql(filters, request.channelId !== undefined),
        [
          tsquery,
          request.readerId,
          SEARCH_LIMITS.window,
          request.limit + 1,
          offset,
          ...filters.map((f) => optional[f] as string),
        ],
        { prepare: false },
      )) as unknown as { id: string; upTo: string }[];
      const found = await loadMessages(
        ranked.slice(0, request.limit).map((r) => r.id),
        tsquery,
      );
      const channelsById = await loadChannels([...new Set([...found.values()].map((m) => m.message.channelId))]);
      return searchPage(request, ranked, (row) => found.get(row.id), channelsById);
    },
  };

  /** The page's messages, hydrated like every read, and their text with the matches marked (for the snippet). */
  async function loadMessages(ids: string[], tsquery: string) {
    const found = new Map<string, { message: SearchHit['message']; marked: string | null }>();
    if (ids.length === 0) return found;
    const rows = await db
      .select({
        ...messageColumns,
        marked: sql<string>`ts_headline('english', ${messages.content}, to_tsquery('english', ${tsquery}), ${HEADLINE_OPTIONS})`,
      })
      .from(messages)
      .leftJoin(users, eq(users.id, messages.authorId))
      .where(inArray(messages.id, ids));
    const list = await hydrateMessages(
      db,
      rows.map((row) => toMessage(row, asValue)),
    );
    rows.forEach((row, i) => {
      const message = list[i];
      if (message) found.set(row.id, { message, marked: row.marked });
    });
    return found;
  }

  async function loadChannels(ids: string[]) {
    if (ids.length === 0) return new Map<string, SearchHit['channel']>();
    const rows = await db
      .select({ id: channels.id, slug: channels.slug, name: channels.name, kind: channels.kind })
      .from(channels)
      .where(inArray(channels.id, ids));
    return new Map(rows.map((row) => [row.id, row]));
  }
}
