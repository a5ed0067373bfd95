import { backoffWithJitter } from '@hubbub/core';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef, useState } from 'react';
import { errorCode, errorMessage } from '../../lib/errors';
import { useTRPC } from '../../trpc';
import { useTaskLive } from './queries';
import type { StreamState } from './task-live';
import type { TaskEnvelope } from './types';

/** Errors a retry cannot fix. */
const TERMINAL = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHORIZED', 'BAD_REQUEST']);

/**
 * The live task stream. It starts from the position of the first list read
 * (`anchor`), or from where this session's caches already are when you come
 * back to the page, so nothing between a read and the subscription is
 * missed. wsLink then tracks the position itself across reconnects.
 */
export function TaskStream({ anchor }: { anchor: string | null }) {
  const trpc = useTRPC();
  const live = useTaskLive();
  const [from, setFrom] = useState<string | null>(() => live.position());
  const attempt = useRef(0);

  useEffect(() => {
    if (from === null && anchor) setFrom(anchor);
  }, [from, anchor]);

  const subscription = useSubscription(
    trpc.task.onEvent.subscriptionOptions(
      { lastEventId: from },
      {
        enabled: from !== null,
        onStarted: () => {
          live.streamError.set(undefined);
          // Started again after a drop (or on coming back): log lines are not replayed, so reread open details.
          live.onResumed();
        },
        onData: (envelope) => {
          attempt.current = 0;
          live.handle(envelope as unknown as TaskEnvelope);
        },
        onError: (error) => live.streamError.set(errorMessage(error)),
      },
    ),
  );

  // The socket reconnects by itself; a subscription the server ended with an error does not: retry with backoff.
  const failed = subscription.status === 'error' && !TERMINAL.has(errorCode(subscription.error) ?? '');
  const { reset } = subscription;
  useEffect(() => {
    if (!failed) return;
    const timer = setTimeout(
      () => {
        const position = live.position();
        if (position && position !== from) setFrom(position);
        else reset();
      },
      backoffWithJitter(attempt.current++),
    );
    return () => clearTimeout(timer);
  }, [failed, live, from, reset]);

  const wasLive = useRef(false);
  let state: StreamState = 'connecting';
  if (subscription.status === 'pending') state = 'live';
  else if (subscription.status === 'error') state = 'error';
  else if (wasLive.current) state = 'reconnecting';
  useEffect(() => {
    if (state === 'live') wasLive.current = true;
    live.streamState.set(state);
  }, [live, state]);
  useEffect(
    () => () => {
      live.streamError.set(undefined);
      live.streamState.set('connecting');
    },
    [live],
  );
  return null;
}
