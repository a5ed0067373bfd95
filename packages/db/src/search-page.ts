import {
  encodeSearchCursor,
  type Message,
  SEARCH_LIMITS,
  type SearchHit,
  type SearchPage,
  type SearchRequest,
} from '@hubbub/core';
import { searchSnippet } from './search-snippet';

/**
 * Both dialects' last step: the ranked rows (one more than the page, to know
 * whether more follow) made into hits — each found message with its channel,
 * its snippet from the text with its matches marked, its thread — and the
 * cursor to the next page, which stays within the ranking window.
 */
export function searchPage<Row extends { id: string; upTo: string }>(
  request: SearchRequest,
  ranked: Row[],
  found: (row: Row) => { message: Message; marked: string | null } | undefined,
  channelsById: Map<string, SearchHit['channel']>,
): SearchPage {
  const offset = request.cursor?.offset ?? 0;
  const page = ranked.slice(0, request.limit);
  const hits: SearchHit[] = [];
  for (const row of page) {
    const hit = found(row);
    const channel = hit && channelsById.get(hit.message.channelId);
    if (!hit || !channel) continue;
    hits.push({
      message: hit.message,
      channel,
      ...searchSnippet(hit.message.content, hit.marked),
      ...(hit.message.threadId ? { threadId: hit.message.threadId } : {}),
    });
  }
  const more = ranked.length > request.limit && offset + request.limit < SEARCH_LIMITS.window;
  const upTo = page[0]?.upTo;
  return {
    hits,
    nextCursor: more && upTo ? encodeSearchCursor({ offset: offset + request.limit, upTo }) : null,
  };
}
