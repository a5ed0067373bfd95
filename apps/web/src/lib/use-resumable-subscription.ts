import { backoffWithJitter } from '@hubbub/core';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef, useState } from 'react';
import { errorCode } from './errors';

/** Errors a retry cannot fix: the stream is gone or closed to us. */
const TERMINAL = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHORIZED', 'BAD_REQUEST']);

/** A live stream as a page can show it: connecting, live, reconnecting (after a drop), or failed. */
export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'error';

/** What a procedure's `subscriptionOptions()` returns (@trpc/tanstack-react-query does not export it by name). */
type SubscriptionOptions<TOutput, TError> = Parameters<typeof useSubscription<TOutput, TError>>[0];

export interface ResumableSubscription<TOutput, TError> {
  /** The stream position of the first read; null until it is known (nothing subscribes before). */
  anchor: string | null;
  /** The position the caches reflect now (null: none yet): a start on mount and a retry resume from it. */
  position: () => string | null;
  /** The procedure's subscriptionOptions for a start position, with its handlers. */
  options: (lastEventId: string | null) => SubscriptionOptions<TOutput, TError>;
}

/**
 * A tracked subscription that misses nothing. It starts from where the caches
 * already are, or else from the first read's position (`anchor`), so no event
 * falls between a read and the subscription; the link (WebSocket or SSE) then
 * tracks the position itself across reconnects. A subscription the server
 * ended with an error does not come back by itself: it is retried with backoff,
 * from where the caches are by then. Returns the state to show.
 */
export function useResumableSubscription<TOutput, TError>({
  anchor,
  position,
  options,
}: ResumableSubscription<TOutput, TError>): StreamState {
  // The position is fixed when the subscription starts; a new one means a new subscription.
  const [from, setFrom] = useState<string | null>(() => position());
  const attempt = useRef(0);
  // Read when a retry fires, so a new function each render does not restart its timer.
  const latestPosition = useRef(position);
  useEffect(() => {
    latestPosition.current = position;
  });

  useEffect(() => {
    if (from === null && anchor) setFrom(anchor);
  }, [from, anchor]);

  const base = options(from);
  const subscription = useSubscription<TOutput, TError>({
    ...base,
    enabled: from !== null,
    onData: (data) => {
      attempt.current = 0;
      base.onData?.(data);
    },
  });

  const failed = subscription.status === 'error' && !TERMINAL.has(errorCode(subscription.error) ?? '');
  const { reset } = subscription;
  useEffect(() => {
    if (!failed) return;
    const timer = setTimeout(
      () => {
        const resumeAt = latestPosition.current();
        if (resumeAt && resumeAt !== from) setFrom(resumeAt);
        else reset();
      },
      backoffWithJitter(attempt.current++),
    );
    return () => clearTimeout(timer);
  }, [failed, from, reset]);

  const wasLive = useRef(false);
  let state: StreamState = 'connecting';
  if (subscription.status === 'pending') state = 'live';
  else if (subscription.status === 'error') state = 'error';
  else if (wasLive.current) state = 'reconnecting';
  useEffect(() => {
    if (state === 'live') wasLive.current = true;
  }, [state]);
  return state;
}
