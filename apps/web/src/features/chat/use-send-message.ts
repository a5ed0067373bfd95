import { backoffWithJitter } from '@hubbub/core';
import { useMutation } from '@tanstack/react-query';
import { useCallback } from 'react';
import { errorCode, errorMessage } from '../../lib/errors';
import { newClientId } from '../../lib/ids';
import { useTRPC } from '../../trpc';
import { useChatLive } from './live-context';
import type { PendingMessage } from './types';

/** Failures worth retrying by ourselves: the request may not have arrived, or we were told to slow down. */
const transient = (error: unknown) => {
  const code = errorCode(error);
  return code === null || code === 'TOO_MANY_REQUESTS' || code === 'INTERNAL_SERVER_ERROR';
};
const AUTO_RETRIES = 3;

/**
 * Sends with a clientId chosen once per message: the message shows at once as
 * "sending", retries reuse the id (the server answers a repeat with the stored
 * message, never a second copy), and whichever of the ack and the stream's
 * message.created lands first replaces the pending row.
 */
export function useSendMessage(channelId: string) {
  const trpc = useTRPC();
  const live = useChatLive();
  const { mutateAsync } = useMutation(trpc.message.send.mutationOptions({ meta: { inlineErrors: true } }));

  const deliver = useCallback(
    async (pending: PendingMessage) => {
      for (let attempt = 0; ; attempt++) {
        try {
          const message = await mutateAsync({ channelId, content: pending.content, clientId: pending.clientId });
          live.confirm(message);
          return;
        } catch (error) {
          if (attempt < AUTO_RETRIES && transient(error)) {
            await new Promise((resolve) => setTimeout(resolve, 300 + backoffWithJitter(attempt)));
            continue;
          }
          live.updatePending(channelId, pending.clientId, { status: 'failed', error: errorMessage(error) });
          return;
        }
      }
    },
    [mutateAsync, live, channelId],
  );

  const send = useCallback(
    (content: string) => {
      const pending: PendingMessage = {
        clientId: newClientId(),
        channelId,
        content,
        createdAt: new Date().toISOString(),
        status: 'sending',
      };
      live.addPending(pending);
      void deliver(pending);
    },
    [live, channelId, deliver],
  );

  const retry = useCallback(
    (pending: PendingMessage) => {
      live.updatePending(channelId, pending.clientId, { status: 'sending', error: undefined });
      void deliver(pending);
    },
    [live, channelId, deliver],
  );

  const discard = useCallback(
    (pending: PendingMessage) => live.removePending(channelId, pending.clientId),
    [live, channelId],
  );

  return { send, retry, discard };
}
