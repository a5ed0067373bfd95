import { useMutation, useQueryClient } from '@tanstack/react-query';
import { channelHref, navigate } from '../../lib/router';
import { useTRPC } from '../../trpc';
import { channelsKey } from './query-keys';

/**
 * Opens (or finds again) your direct conversation with these people and goes there; with `session`,
 * a new conversation with agents (dm.open with `fresh`, and its name if given). The list is
 * refreshed first so the conversation is in the sidebar when its page opens. Errors are the caller's
 * to show (a card or a dialog), so no toast.
 */
export function useOpenDirect() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const open = useMutation(trpc.dm.open.mutationOptions({ meta: { inlineErrors: true } }));
  return {
    pending: open.isPending,
    error: open.error,
    reset: open.reset,
    async go(userIds: string[], session?: { name?: string }): Promise<void> {
      const fresh = session ? { fresh: true, ...(session.name ? { name: session.name } : {}) } : {};
      const channel = await open.mutateAsync({ userIds, ...fresh });
      await queryClient.invalidateQueries({ queryKey: channelsKey });
      navigate(channelHref(channel.slug));
    },
  };
}
