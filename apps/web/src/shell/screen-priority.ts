import type { QueryClient } from '@tanstack/react-query';
import type { Operation } from '@trpc/client';
import { channelsKey } from '../features/chat/query-keys';
import type { ChannelSummary } from '../features/chat/types';
import { parseRoute } from '../lib/router';

/**
 * Which live streams matter most right now: the one behind what is on screen
 * (the open channel, or the task stream on the Tasks page). Read from the URL
 * and the channel list in the cache, so no component has to report it.
 */
export function createScreenPriority(queryClient: QueryClient) {
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of listeners) listener();
  };
  window.addEventListener('hashchange', changed);
  return {
    priority(op: Operation): number {
      const route = parseRoute(window.location.hash);
      if (op.path === 'task.onEvent') return route.name === 'tasks' ? 1 : 0;
      if (op.path !== 'channel.onEvent' || route.name !== 'channel') return 0;
      const channels = queryClient.getQueryData<ChannelSummary[]>(channelsKey) ?? [];
      const onScreen = channels.find((c) => c.slug === route.slug);
      return onScreen && (op.input as { channelId?: string } | undefined)?.channelId === onScreen.id ? 1 : 0;
    },
    onChange(listener: () => void): void {
      listeners.add(listener);
    },
    dispose(): void {
      window.removeEventListener('hashchange', changed);
      listeners.clear();
    },
  };
}
