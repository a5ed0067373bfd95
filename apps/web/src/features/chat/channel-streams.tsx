import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { errorMessage } from '../../lib/errors';
import { useResumableSubscription } from '../../lib/use-resumable-subscription';
import { useTRPC } from '../../trpc';
import { useHistoryOptions } from './history';
import { useChatLive } from './live-context';
import type { ChannelSummary, StreamEnvelope } from './types';

/**
 * The live subscription of the channel on screen. (Unread counts of the others come with the user
 * stream, so one channel stream per tab is enough.)
 */
export function ChannelStreams({ active }: { active: ChannelSummary | null }) {
  return active ? <ChannelStream key={active.id} channelId={active.id} /> : null;
}

/**
 * Loads the newest history page, then subscribes from that page's position
 * (lastEventId) so nothing between the read and the subscription is lost.
 */
function ChannelStream({ channelId }: { channelId: string }) {
  const trpc = useTRPC();
  const live = useChatLive();
  const history = useInfiniteQuery(useHistoryOptions(channelId));

  useResumableSubscription({
    anchor: history.data?.pages[0]?.eventId ?? null,
    position: () => live.position(channelId),
    options: (lastEventId) =>
      trpc.channel.onEvent.subscriptionOptions(
        { channelId, lastEventId },
        {
          onStarted: () => live.setStreamError(channelId, undefined),
          onData: (envelope) => live.handle(channelId, envelope as StreamEnvelope),
          onError: (error) => live.setStreamError(channelId, errorMessage(error)),
        },
      ),
  });

  useEffect(() => () => live.setStreamError(channelId, undefined), [live, channelId]);
  return null;
}
