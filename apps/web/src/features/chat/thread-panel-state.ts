import { createStore, useStore } from '../../lib/store';

/** The thread open in the side panel (one at a time), and what to give focus back to when it closes. */
export interface OpenThread {
  channelId: string;
  rootId: string;
  opener: HTMLElement | null;
}

export const openThreadStore = createStore<OpenThread | null>(null);

/** Opens a root's thread in the side panel; focus returns to what had it when the panel closes. */
export function openThread(channelId: string, rootId: string): void {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  openThreadStore.set({ channelId, rootId, opener });
}

export function closeThread(): void {
  const open = openThreadStore.get();
  openThreadStore.set(null);
  if (open?.opener?.isConnected) open.opener.focus();
}

/** The root whose thread is open in this channel, if any. */
export function useOpenThreadIn(channelId: string): string | null {
  return useStore(openThreadStore, (open) => (open?.channelId === channelId ? open.rootId : null));
}
