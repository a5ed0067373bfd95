import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { errorMessage } from '../../lib/errors';
import { useResumableSubscription } from '../../lib/use-resumable-subscription';
import { useTRPC } from '../../trpc';
import { useHistoryOptions } from './history';
import { useChatLive } from './live-context';
import type { ChannelSummary, StreamEnvelope } from './types';

interface ChannelStreamsProps {
  /** Every channel you can see (undefined while the list loads). */
  channels: ChannelSummary[] | undefined;
  /** The channel on screen, if any. */
  active: ChannelSummary | null;
}

/**
 * One live subscription per channel you follow (every joined channel, plus the
 * one on screen), so unread counts move while you look elsewhere.
 */
export function ChannelStreams({ channels, active }: ChannelStreamsProps) {
  const channelIds = useMemo(() => {
    const ids = new Set((channels ?? []).filter((c) => c.joined).map((c) => c.id));
    if (active) ids.add(active.id);
    return [...ids].sort();
  }, [channels, active]);
  return (
    <>
      {channelIds.map((id) => (
        <ChannelStream key={id} channelId={id} />
      ))}
    </>
  );
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
