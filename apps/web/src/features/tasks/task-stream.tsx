import { useEffect } from 'react';
import { errorMessage } from '../../lib/errors';
import { useResumableSubscription } from '../../lib/use-resumable-subscription';
import { useTRPC } from '../../trpc';
import { useTaskLive } from './queries';
import type { TaskEnvelope } from './types';

/**
 * The live task stream. It starts from the position of the first list read
 * (`anchor`), or from where this session's caches already are when you come
 * back to the page, so nothing between a read and the subscription is missed.
 */
export function TaskStream({ anchor }: { anchor: string | null }) {
  const trpc = useTRPC();
  const live = useTaskLive();

  const state = useResumableSubscription({
    anchor,
    position: () => live.position(),
    options: (lastEventId) =>
      trpc.task.onEvent.subscriptionOptions(
        { lastEventId },
        {
          onStarted: () => {
            live.streamError.set(undefined);
            // Started again after a drop (or on coming back): log lines are not replayed, so reread open details.
            live.onResumed();
          },
          onData: (envelope) => live.handle(envelope as unknown as TaskEnvelope),
          onError: (error) => live.streamError.set(errorMessage(error)),
        },
      ),
  });

  useEffect(() => {
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
