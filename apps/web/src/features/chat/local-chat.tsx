import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { newClientId } from '../../lib/ids';
import { useStore } from '../../lib/store';
import { useTRPCClient } from '../../trpc';
import { createDrafts, type Drafts } from './drafts';
import { useChatLive } from './live-context';
import { browserStorage } from './local-storage';
import { createOutbox } from './outbox';
import { OutboxSender } from './outbox-sender';
import { recentEmoji } from './recent-emoji';

interface LocalChat {
  drafts: Drafts;
  sender: OutboxSender;
  /** Forgets this person's drafts and unsent messages (logging out). */
  forget(): void;
}

const LocalChatContext = createContext<LocalChat | null>(null);

/**
 * What this browser keeps for the signed-in person so nothing typed is lost:
 * drafts per channel and the outbox of unsent messages. `connected` is the
 * live connection's state: when it comes back, what waits goes out.
 */
export function LocalChatProvider({
  userId,
  connected,
  children,
}: {
  userId: string;
  connected: boolean;
  children: ReactNode;
}) {
  const live = useChatLive();
  const client = useTRPCClient();
  const [local] = useState<LocalChat>(() => {
    const storage = browserStorage();
    const drafts = createDrafts(storage, userId);
    const outbox = createOutbox(storage, userId);
    return {
      drafts,
      sender: new OutboxSender({
        outbox,
        live,
        send: (input) => client.message.send.mutate(input),
        newClientId,
      }),
      forget: () => {
        drafts.clear();
        outbox.clear();
        recentEmoji(storage, userId).clear();
      },
    };
  });
  // Idempotent: React's dev-mode double effects restore once.
  useEffect(() => local.sender.restore(), [local]);
  useEffect(() => {
    local.sender.setConnected(connected);
    return () => local.sender.setConnected(false);
  }, [local, connected]);
  return <LocalChatContext.Provider value={local}>{children}</LocalChatContext.Provider>;
}

function useLocalChat(): LocalChat {
  const local = useContext(LocalChatContext);
  if (!local) throw new Error('needs a LocalChatProvider');
  return local;
}

/** What logging out calls: nothing typed here stays behind in this browser. */
export function useForgetLocalChat(): () => void {
  return useLocalChat().forget;
}

export function useOutboxSender(): OutboxSender {
  return useLocalChat().sender;
}

/** The composer's text, kept as this channel's draft on every change (an empty text removes it). */
export function useDraftText(channelId: string): [string, (text: string) => void] {
  const { drafts } = useLocalChat();
  const [text, setText] = useState(() => drafts.get(channelId));
  const update = (next: string) => {
    setText(next);
    drafts.set(channelId, next);
  };
  return [text, update];
}

/** Messages on their way in every channel (the connection banner says they will go out). */
export function useWaitingCount(): number {
  return useStore(useChatLive().pending, (pending) =>
    Object.values(pending).reduce((sum, list) => sum + list.filter((m) => m.status === 'sending').length, 0),
  );
}
