import { EMOJI, RECENT_LIMIT, withRecent } from './emoji-data';
import { type KeyValueStorage, readJson, tryWrite } from './local-storage';

/** A person's recent emoji picks in this browser: newest first, known emoji only, forgotten at logout. */
export function recentEmoji(storage: KeyValueStorage | null, userId: string) {
  const key = `hubbub.emoji-recent.${userId}`;
  const read = (): string[] => {
    const stored = readJson(storage, key);
    if (!Array.isArray(stored)) return [];
    const known = new Set(EMOJI.map((e) => e.emoji));
    return stored.filter((e): e is string => typeof e === 'string' && known.has(e)).slice(0, RECENT_LIMIT);
  };
  return {
    read,
    add: (emoji: string) => void tryWrite(storage, key, JSON.stringify(withRecent(read(), emoji))),
    clear: () => {
      try {
        storage?.removeItem(key);
      } catch {
        // Storage refused: then nothing was kept either.
      }
    },
  };
}
