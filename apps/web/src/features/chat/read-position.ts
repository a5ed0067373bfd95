import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTRPC } from '../../trpc';
import { channelsKey } from './query-keys';
import type { ChannelSummary, Message } from './types';

/** Reading settles this long before the position is sent (a burst of messages is one call). */
const SETTLE_MS = 400;

function useTabVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const update = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return visible;
}

/**
 * While a channel you are in is on screen in a visible tab, what arrives in it is read: the position
 * moves to its newest message (channel.markRead; every other tab hears it on the user stream) and the
 * sidebar's counts go to zero at once.
 */
export function useMarkRead(channel: ChannelSummary, newest: Pick<Message, 'id' | 'seq'> | undefined) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const visible = useTabVisible();
  // Quietly: a message deleted meanwhile (NOT_FOUND) or a lost connection only means the next read moves it.
  const { mutate } = useMutation(trpc.channel.markRead.mutationOptions({ meta: { inlineErrors: true } }));
  const behind = channel.joined && newest !== undefined && newest.seq > (channel.readSeq ?? 0);
  /** The position to send, and the timer that sends it (a burst of messages is one call). */
  const toSend = useRef<{ channelId: string; messageId: string } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const send = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (toSend.current) mutate(toSend.current);
    toSend.current = null;
  }, [mutate]);

  useEffect(() => {
    if (!behind || !visible || !newest) return;
    // The counts go at once; the position follows when the burst settles.
    queryClient.setQueryData<ChannelSummary[]>(channelsKey, (list) =>
      list?.map((c) => (c.id === channel.id ? { ...c, unread: 0, mentions: 0, readSeq: newest.seq } : c)),
    );
    toSend.current = { channelId: channel.id, messageId: newest.id };
    timer.current ??= setTimeout(send, SETTLE_MS);
  }, [behind, visible, newest, channel.id, queryClient, send]);

  // Leaving the channel sends what is still waiting.
  useEffect(() => send, [send]);
}

/**
 * Where "New messages" starts: after the read position as it was when the channel opened (it stays put
 * while you read, like a bookmark).
 */
export function useReadMarker(channel: ChannelSummary): number | null {
  const [marker] = useState(() => (channel.joined ? channel.readSeq : null));
  return marker;
}
