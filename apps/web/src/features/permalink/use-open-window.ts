import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTRPCClient } from '../../trpc';
import { historyKey } from '../chat/chat-live';
import { type HistoryParam, PAGE_SIZE } from '../chat/history';
import { useChatLive } from '../chat/live-context';
import type { HistoryData, HistoryPage } from '../chat/types';

/** Where a window starts: around a message (permalink, search hit) or just after a seq (the first unread). */
export type WindowStart = { around: string } | { after: number };

/**
 * Opens a channel's history at a place instead of at its newest messages: the page there replaces
 * what was loaded (the infinite query then pages older and newer from it, until it reaches the newest
 * and the stream carries on). Resolves with the message the window is centred on (null for `after`); rejects as the read does (NOT_FOUND for a message
 * that is gone or that the reader may not read).
 */
export function useOpenWindow(channelId: string): (start: WindowStart) => Promise<{ anchorId: string | null }> {
  const client = useTRPCClient();
  const live = useChatLive();
  const queryClient = useQueryClient();
  return useCallback(
    async (start) => {
      let page: HistoryPage;
      let anchorId: string | null = null;
      if ('around' in start) {
        const window = await client.message.around.query({ messageId: start.around, limit: PAGE_SIZE });
        // A link naming the wrong channel must not put another channel's messages in this one's list.
        if (window.channelId !== channelId) throw new Error('That message is in another conversation.');
        page = window;
        anchorId = window.messageId;
      } else {
        page = await client.message.history.query({ channelId, after: start.after, limit: PAGE_SIZE });
      }
      const key = historyKey(channelId);
      // A newest-page read still in flight must not land over the window.
      await queryClient.cancelQueries({ queryKey: key });
      const param: HistoryParam = start;
      queryClient.setQueryData<HistoryData>(key, { pages: [live.catchUp(channelId, page)], pageParams: [param] });
      return { anchorId };
    },
    [client, live, queryClient, channelId],
  );
}
