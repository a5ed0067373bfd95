import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { errorCode, errorMessage } from '../../lib/errors';
import { flattenMessages } from '../chat/cache-updates';
import { historyKey } from '../chat/chat-live';
import type { ChannelSummary, HistoryData } from '../chat/types';
import { useOpenWindow } from './use-open-window';
import './permalink.css';

/** Where the list should bring into view once it is rendered: a message, or the New messages divider. A new object per request. */
export type ListAnchor = { messageId: string } | { divider: true };

export interface ListPlace {
  /** A window is being read: the newest page must not be fetched meanwhile. */
  opening: boolean;
  anchor: ListAnchor | null;
  /** The message to mark (the permalink's, or its thread's root). */
  highlight: string | null;
  /** Why the permalink's message could not be opened. */
  error: string | null;
  /** Opens the list just after `seq` (the read position) with the divider in view. */
  openUnread(seq: number): void;
  /** The list was opened at the first unread: its oldest row is the first unread, older ones loaded or not. */
  unreadOpened: boolean;
}

/**
 * Where a channel's list opens: at a permalink's message (`focusId`) when there is one, loading a
 * window around it when it is not loaded yet, else at its newest messages; and at the first unread
 * when the caller finds it older than what is loaded.
 */
export function useListPlace(channel: Pick<ChannelSummary, 'id'>, focusId: string | undefined): ListPlace {
  const queryClient = useQueryClient();
  const openWindow = useOpenWindow(channel.id);
  const isLoaded = useCallback(
    (id: string) =>
      flattenMessages(queryClient.getQueryData<HistoryData>(historyKey(channel.id))).some((m) => m.id === id),
    [queryClient, channel.id],
  );
  const [opening, setOpening] = useState(() => Boolean(focusId && !isLoaded(focusId)));
  const [anchor, setAnchor] = useState<ListAnchor | null>(null);
  const [highlight, setHighlight] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [unreadOpened, setUnreadOpened] = useState(false);

  useEffect(() => {
    setError(null);
    if (!focusId) {
      setOpening(false);
      return;
    }
    if (isLoaded(focusId)) {
      setOpening(false);
      setAnchor({ messageId: focusId });
      setHighlight(focusId);
      return;
    }
    let current = true;
    setOpening(true);
    openWindow({ around: focusId })
      .then(({ anchorId }) => {
        const shown = anchorId ?? focusId;
        if (!current) return;
        setAnchor({ messageId: shown });
        setHighlight(shown);
      })
      .catch((e: unknown) => {
        if (current) setError(notThere(e));
      })
      .finally(() => {
        if (current) setOpening(false);
      });
    return () => {
      current = false;
    };
  }, [focusId, isLoaded, openWindow]);

  const openUnread = useCallback(
    (seq: number) => {
      setOpening(true);
      openWindow({ after: seq })
        .then(() => {
          setUnreadOpened(true);
          setAnchor({ divider: true });
        })
        // The newest messages are still there to read: no more than a missed convenience.
        .catch(() => undefined)
        .finally(() => setOpening(false));
    },
    [openWindow],
  );

  return { opening, anchor, highlight, error, openUnread, unreadOpened };
}

function notThere(error: unknown): string {
  return errorCode(error) === 'NOT_FOUND'
    ? 'That message is not here: it was deleted, or it is in a conversation you can’t read.'
    : `Couldn’t open that message: ${errorMessage(error)}`;
}
