import { ZEmoji } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import { EMOJI, RECENT_LIMIT, searchEmoji, withRecent } from './emoji-data';

describe('the emoji picker data', () => {
  it('offers only emoji the server takes, each once', () => {
    expect(EMOJI.length).toBeGreaterThanOrEqual(60);
    expect(EMOJI.filter((e) => !ZEmoji.safeParse(e.emoji).success)).toEqual([]);
    expect(new Set(EMOJI.map((e) => e.emoji)).size).toBe(EMOJI.length);
  });

  it('finds emoji by the start of their words', () => {
    expect(searchEmoji('thumbs').map((e) => e.emoji)).toEqual(['👍', '👎']);
    expect(searchEmoji('thumbs up').map((e) => e.emoji)).toEqual(['👍']);
    expect(searchEmoji('HEART bro').map((e) => e.emoji)).toEqual(['💔']);
    expect(searchEmoji('zzzzz')).toEqual([]);
    expect(searchEmoji('  ')).toHaveLength(EMOJI.length);
  });

  it('keeps recent picks newest first, without repeats, bounded', () => {
    expect(withRecent(['👍', '🎉'], '🎉')).toEqual(['🎉', '👍']);
    const many = EMOJI.slice(0, RECENT_LIMIT).map((e) => e.emoji);
    const next = withRecent(many, '🦄');
    expect(next).toHaveLength(RECENT_LIMIT);
    expect(next[0]).toBe('🦄');
    expect(next).not.toContain(many.at(-1));
  });
});
