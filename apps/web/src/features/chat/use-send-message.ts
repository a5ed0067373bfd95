import type { Attachment } from '@hubbub/core';
import { useCallback } from 'react';
import { useOutboxSender } from './local-chat';
import type { PendingMessage } from './types';

/**
 * Sends through the outbox (outbox-sender.ts): the message shows at once as
 * "sending", is kept in this browser until the server confirms it, and goes
 * out again with the same clientId after a lost connection or a reload (the
 * server answers a repeat with the stored message, never a second copy).
 */
export function useSendMessage(channelId: string) {
  const sender = useOutboxSender();
  const send = useCallback(
    (content: string, attachments?: Attachment[]) => sender.send(channelId, content, attachments),
    [sender, channelId],
  );
  const retry = useCallback((pending: PendingMessage) => sender.retry(pending), [sender]);
  const discard = useCallback((pending: PendingMessage) => sender.discard(pending), [sender]);
  return { send, retry, discard };
}
