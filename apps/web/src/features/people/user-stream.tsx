import { backoffWithJitter, type UserEvent } from '@hubbub/core';
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef } from 'react';
import { toast } from '../../lib/toast';
import { useTRPC } from '../../trpc';
import { channelsKey } from '../chat/query-keys';
import type { ChannelSummary } from '../chat/types';
import { applyUserEvent } from '../chat/user-event-updates';
import { noticeWanted, notifyIfHidden } from '../notifications';
import { taskKeys } from '../tasks/task-live';
import { noticeFor } from './user-notices';

interface UserStreamProps {
  me: string;
  /** The channel in view: news from it needs no notice. */
  onScreen: string | null;
  /** The live link is up: coming back after a drop, the lists are read again (counts moved meanwhile). */
  connected: boolean;
}

/** Reads the lists the user stream keeps current: after a (re)start, what passed meanwhile is in them. */
function refreshLists(queryClient: QueryClient) {
  void queryClient.invalidateQueries({ queryKey: channelsKey });
  void queryClient.invalidateQueries({ queryKey: taskKeys.stats });
}

/**
 * The signed-in person's own stream (user.onEvent): keeps the sidebar's channel list, unread and mention
 * counts and the approvals badge current in every tab, and tells of mentions, direct messages, invites
 * and approvals happening elsewhere (a toast; a system notification when the tab is hidden).
 */
export function UserStream({ me, onScreen, connected }: UserStreamProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onScreenRef = useRef(onScreen);
  onScreenRef.current = onScreen;
  const attempt = useRef(0);

  const subscription = useSubscription(
    trpc.user.onEvent.subscriptionOptions(
      { lastEventId: null },
      {
        onStarted: () => refreshLists(queryClient),
        onData: ({ data }) => {
          attempt.current = 0;
          const event = data as UserEvent;
          if (event.type === 'reset') return refreshLists(queryClient);
          // What arrives in the channel on screen is being read here (useMarkRead): its counts stay at zero.
          const reading = event.type === 'channel.unread' && event.channelId === onScreenRef.current;
          if (reading && document.visibilityState === 'visible') return;
          queryClient.setQueryData<ChannelSummary[]>(channelsKey, (list) => applyUserEvent(list, event));
          if (event.type === 'channel.joined' && event.channel.kind === 'dm') {
            // A new conversation's people come with the list.
            void queryClient.invalidateQueries({ queryKey: channelsKey });
          }
          if (event.type.startsWith('approval.')) void queryClient.invalidateQueries({ queryKey: taskKeys.stats });
          if (event.type === 'agent.changed') {
            // The registry and the people pickers (agents are people there) show what it is now.
            void queryClient.invalidateQueries({ queryKey: trpc.agent.list.queryKey() });
            void queryClient.invalidateQueries({ queryKey: trpc.user.list.queryKey() });
          }
          // A hidden tab has nothing on screen: news from the open channel is news too.
          const visible = document.visibilityState === 'visible';
          const notice = noticeFor(event, {
            me,
            channels: queryClient.getQueryData<ChannelSummary[]>(channelsKey),
            onScreen: visible ? onScreenRef.current : null,
          });
          if (!notice || !noticeWanted(notice.channelId)) return;
          toast(notice.title, 'info', notice.url);
          void notifyIfHidden(notice, notice.channelId ? { channelId: notice.channelId } : {});
        },
      },
    ),
  );

  const wasConnected = useRef(connected);
  useEffect(() => {
    if (connected && !wasConnected.current) refreshLists(queryClient);
    wasConnected.current = connected;
  }, [connected, queryClient]);

  // A stream the server ended (a restart, a refused resume) comes back, after a pause.
  const failed = subscription.status === 'error';
  const { reset } = subscription;
  useEffect(() => {
    if (!failed) return;
    const timer = setTimeout(reset, backoffWithJitter(attempt.current++));
    return () => clearTimeout(timer);
  }, [failed, reset]);

  return null;
}
