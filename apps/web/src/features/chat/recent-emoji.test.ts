import { describe, expect, it } from 'vitest';
import { recentEmoji } from './recent-emoji';
import { memoryStorage } from './test-storage';

describe('recentEmoji', () => {
  it('keeps a person’s picks newest first, without repeats, known emoji only', () => {
    const storage = memoryStorage();
    const ada = recentEmoji(storage, 'ada');
    ada.add('👍');
    ada.add('🎉');
    ada.add('👍');
    expect(ada.read()).toEqual(['👍', '🎉']);
    storage.setItem('hubbub.emoji-recent.ada', JSON.stringify(['not an emoji', '🎉', 42]));
    expect(ada.read()).toEqual(['🎉']);
  });

  it('logging out forgets that person’s picks, and only theirs', () => {
    const storage = memoryStorage();
    recentEmoji(storage, 'ada').add('🚀');
    recentEmoji(storage, 'bob').add('🎉');
    recentEmoji(storage, 'ada').clear();
    expect(recentEmoji(storage, 'ada').read()).toEqual([]);
    expect(recentEmoji(storage, 'bob').read()).toEqual(['🎉']);
  });
});
