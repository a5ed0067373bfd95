import { backoffWithJitter } from '@hubbub/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { errorCode, errorMessage } from '../../lib/errors';
import { useTRPC } from '../../trpc';
import { useHistoryOptions } from './history';
import { useChatLive } from './live-context';
import type { ChannelSummary, StreamEnvelope } from './types';

/** Errors a retry cannot fix: the channel is gone or closed to us. */
const TERMINAL = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHORIZED', 'BAD_REQUEST']);

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
 * wsLink then tracks the position itself and resumes after reconnects.
 */
function ChannelStream({ channelId }: { channelId: string }) {
  const trpc = useTRPC();
  const live = useChatLive();
  const history = useInfiniteQuery(useHistoryOptions(channelId));
  const loaded = history.data?.pages[0]?.eventId ?? null;
  // The position is fixed when the subscription starts; a new one means a new subscription.
  const [from, setFrom] = useState<string | null>(null);
  const attempt = useRef(0);

  useEffect(() => {
    if (from === null && loaded) setFrom(loaded);
  }, [from, loaded]);

  const subscription = useSubscription(
    trpc.channel.onEvent.subscriptionOptions(
      { channelId, lastEventId: from },
      {
        enabled: from !== null,
        onStarted: () => live.setStreamError(channelId, undefined),
        onData: (envelope) => {
          attempt.current = 0;
          live.handle(channelId, envelope as StreamEnvelope);
        },
        onError: (error) => live.setStreamError(channelId, errorMessage(error)),
      },
    ),
  );

  // The socket reconnects by itself; a subscription the server ended with an
  // error does not, so retry it from where the cache is, with backoff.
  const failed = subscription.status === 'error' && !TERMINAL.has(errorCode(subscription.error) ?? '');
  const { reset } = subscription;
  useEffect(() => {
    if (!failed) return;
    const timer = setTimeout(
      () => {
        const position = live.position(channelId);
        if (position && position !== from) setFrom(position);
        else reset();
      },
      backoffWithJitter(attempt.current++),
    );
    return () => clearTimeout(timer);
  }, [failed, live, channelId, from, reset]);

  useEffect(() => () => live.setStreamError(channelId, undefined), [live, channelId]);
  return null;
}
