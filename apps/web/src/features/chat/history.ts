import { infiniteQueryOptions } from '@tanstack/react-query';
import { type ApiClient, useTRPCClient } from '../../trpc';
import { type ChatLive, historyKey } from './chat-live';
import { useChatLive } from './live-context';

const PAGE_SIZE = 50;

/**
 * A channel's messages as an infinite query (message.history pages by the
 * `before` cursor). The stream keeps it current, so it never refetches on its
 * own (staleTime: Infinity) and stays cached while you look elsewhere.
 */
export function historyOptions(client: ApiClient, live: ChatLive, channelId: string) {
  return infiniteQueryOptions({
    queryKey: historyKey(channelId),
    initialPageParam: null as number | null,
    queryFn: async ({ pageParam, signal }) => {
      const page = await client.message.history.query(
        { channelId, limit: PAGE_SIZE, ...(pageParam ? { before: pageParam } : {}) },
        { signal },
      );
      return pageParam === null ? live.catchUp(channelId, page) : page;
    },
    getNextPageParam: (last) => last.nextCursor,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: Number.POSITIVE_INFINITY,
  });
}

export function useHistoryOptions(channelId: string) {
  return historyOptions(useTRPCClient(), useChatLive(), channelId);
}
