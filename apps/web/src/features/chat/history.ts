import { infiniteQueryOptions } from '@tanstack/react-query';
import { type ApiClient, useTRPCClient } from '../../trpc';
import { type ChatLive, historyKey } from './chat-live';
import { useChatLive } from './live-context';
import type { HistoryPage } from './types';

export const PAGE_SIZE = 50;

/**
 * Where a page starts: null for the newest, `before`/`after` a seq (older, newer), or a window
 * `around` a message (a permalink, a search hit: seeded by openWindow, refetched from here).
 */
export type HistoryParam = null | { before: number } | { after: number } | { around: string };

/**
 * A channel's messages as an infinite query: "next" pages are older (`before`), "previous" pages
 * are newer (`after`), which a window opened around a message has until it reaches the newest.
 * The stream keeps it current, so it never refetches on its own (staleTime: Infinity) and stays
 * cached while you look elsewhere.
 */
export function historyOptions(client: ApiClient, live: ChatLive, channelId: string) {
  return infiniteQueryOptions({
    queryKey: historyKey(channelId),
    initialPageParam: null as HistoryParam,
    queryFn: async ({ pageParam, signal }): Promise<HistoryPage> => {
      if (pageParam && 'around' in pageParam) {
        const page = await client.message.around.query({ messageId: pageParam.around, limit: PAGE_SIZE }, { signal });
        return live.catchUp(channelId, page);
      }
      const page = await client.message.history.query({ channelId, limit: PAGE_SIZE, ...pageParam }, { signal });
      // The newest page, or a newer one that reached it, may have missed events while in flight.
      return pageParam === null || ('after' in pageParam && page.newerCursor === null)
        ? live.catchUp(channelId, page)
        : page;
    },
    getNextPageParam: (last): HistoryParam | undefined =>
      last.nextCursor === null ? undefined : { before: last.nextCursor },
    getPreviousPageParam: (first): HistoryParam | undefined =>
      first.newerCursor == null ? undefined : { after: first.newerCursor },
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: Number.POSITIVE_INFINITY,
  });
}

export function useHistoryOptions(channelId: string) {
  return historyOptions(useTRPCClient(), useChatLive(), channelId);
}
