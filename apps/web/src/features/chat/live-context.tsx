import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { useStore } from '../../lib/store';
import { useTRPC } from '../../trpc';
import { useChannels } from './channel-list';
import { ChatLive } from './chat-live';
import { channelsKey } from './query-keys';
import type { PendingMessage, TypingEntry } from './types';
import { totalUnread } from './user-event-updates';

const LiveContext = createContext<ChatLive | null>(null);

export function ChatLiveProvider({ userId, children }: { userId: string; children: ReactNode }) {
  const queryClient = useQueryClient();
  const trpc = useTRPC();
  const [live] = useState(
    () =>
      new ChatLive(queryClient, {
        channelList: channelsKey,
        members: (channelId) => trpc.channel.members.queryKey({ channelId }),
      }),
  );
  live.setMe(userId);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

export function useChatLive(): ChatLive {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useChatLive needs a ChatLiveProvider');
  return live;
}

/** Unread messages in the channels you are in (the tab title and the phone's menu button show it). */
export function useTotalUnread(): number {
  return totalUnread(useChannels().data);
}

const NO_PENDING: PendingMessage[] = [];
export function usePending(channelId: string): PendingMessage[] {
  return useStore(useChatLive().pending, (p) => p[channelId] ?? NO_PENDING);
}

export function usePresence(channelId: string): string[] | undefined {
  return useStore(useChatLive().presence, (p) => p[channelId]);
}

export function useStreamError(channelId: string): string | undefined {
  return useStore(useChatLive().streamErrors, (e) => e[channelId]);
}

const NO_TYPING: TypingEntry[] = [];
/** Who is typing now; re-renders when the next notice expires. */
export function useTyping(channelId: string): TypingEntry[] {
  const entries = useStore(useChatLive().typing, (t) => t[channelId] ?? NO_TYPING);
  const [now, setNow] = useState(() => Date.now());
  const current = entries.filter((e) => e.expiresAt > now);
  const next = Math.min(...current.map((e) => e.expiresAt));
  useEffect(() => {
    setNow(Date.now());
  }, [entries]);
  useEffect(() => {
    if (!Number.isFinite(next)) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, next - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [next]);
  return current;
}
