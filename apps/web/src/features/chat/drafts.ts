import { LIMITS } from '@hubbub/core';
import { type KeyValueStorage, readJson, tryWrite } from './local-storage';

/** Enough for every channel someone really writes in; the least recently touched go first. */
export const MAX_DRAFTS = 200;

export interface Drafts {
  /** What was left typed in this channel ('' when nothing). */
  get(channelId: string): string;
  /** Keeps the text (cut to the message limit); blank text removes the draft. */
  set(channelId: string, text: string): void;
  /** Forgets every draft of this person (logging out: nothing typed stays behind in a shared browser). */
  clear(): void;
}

/**
 * What someone typed and did not send, per channel, in this browser's
 * storage: one key per draft (a keystroke rewrites one draft, not all of
 * them) and an index, most recent first, that bounds how many are kept.
 * Keyed by the person, so someone else signing in here never sees them.
 */
export function createDrafts(storage: KeyValueStorage | null, userId: string, max = MAX_DRAFTS): Drafts {
  const indexKey = `hubbub.drafts.${userId}`;
  const draftKey = (channelId: string) => `hubbub.draft.${userId}.${channelId}`;

  const readIndex = (): string[] => {
    const value = readJson(storage, indexKey);
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  };
  const writeIndex = (ids: string[]) => tryWrite(storage, indexKey, JSON.stringify(ids));

  const remove = (channelId: string) => {
    try {
      storage?.removeItem(draftKey(channelId));
    } catch {
      // Nothing to do: an unremovable draft is shown again, which loses nothing.
    }
    const index = readIndex();
    if (index.includes(channelId)) writeIndex(index.filter((id) => id !== channelId));
  };

  return {
    get(channelId) {
      const text = storage?.getItem(draftKey(channelId));
      return typeof text === 'string' ? text.slice(0, LIMITS.message) : '';
    },

    set(channelId, text) {
      if (!text.trim()) {
        remove(channelId);
        return;
      }
      const index = readIndex();
      // Typing in the same channel again only rewrites its text; the index changes when the order does.
      if (index[0] !== channelId) {
        const next = [channelId, ...index.filter((id) => id !== channelId)];
        for (const evicted of next.splice(max)) remove(evicted);
        writeIndex(next);
      }
      let kept = tryWrite(storage, draftKey(channelId), text.slice(0, LIMITS.message));
      // Storage full: make room by dropping the oldest drafts, this one's last.
      while (!kept) {
        const oldest = readIndex()
          .filter((id) => id !== channelId)
          .at(-1);
        if (!oldest) break;
        remove(oldest);
        kept = tryWrite(storage, draftKey(channelId), text.slice(0, LIMITS.message));
      }
    },

    clear() {
      for (const channelId of readIndex()) remove(channelId);
      try {
        storage?.removeItem(indexKey);
      } catch {
        // Storage refused: the drafts stay keyed by this person, shown to nobody else.
      }
    },
  };
}
