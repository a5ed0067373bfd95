import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { decodeSearchCursor, encodeSearchCursor, parseSearchQuery, SEARCH_LIMITS, ZSearchInput } from './search';

describe('parseSearchQuery', () => {
  it('reads words (lowercased), the last one a prefix while it is being typed', () => {
    expect(parseSearchQuery('Deploy Friday')).toEqual({
      include: [
        { words: ['deploy'], prefix: false },
        { words: ['friday'], prefix: true },
      ],
      exclude: [],
    });
    // A space after it: the word is finished.
    expect(parseSearchQuery('deploy friday ').include.at(-1)).toEqual({ words: ['friday'], prefix: false });
    // Too short to be worth a prefix (it would match a good part of the dictionary).
    expect(parseSearchQuery('deploy dep').include.at(-1)).toEqual({ words: ['dep'], prefix: false });
  });

  it('reads "quoted words" as a phrase and -word as an exclusion; a word joined by punctuation is a phrase of its parts', () => {
    expect(parseSearchQuery('"release notes" -draft e-mail')).toEqual({
      include: [
        { words: ['release', 'notes'], prefix: false },
        { words: ['e', 'mail'], prefix: true },
      ],
      exclude: [{ words: ['draft'], prefix: false }],
    });
    // An unclosed quote runs to the end, and is not a prefix.
    expect(parseSearchQuery('"release not')).toEqual({
      include: [{ words: ['release', 'not'], prefix: false }],
      exclude: [],
    });
  });

  it('lets nothing of an index query language through: only letters, digits and marks make words', () => {
    for (const text of ['" OR *', 'NEAR(a b)', "a' & !b:* | (c)", '^x {y} z:*', '\\', '!!!', '🎉']) {
      const parsed = parseSearchQuery(text);
      for (const term of [...parsed.include, ...parsed.exclude]) {
        for (const word of term.words) expect(word).toMatch(/^[\p{L}\p{N}\p{M}]+$/u);
      }
    }
    expect(parseSearchQuery('!!! 🎉')).toEqual({ include: [], exclude: [] });
    expect(parseSearchQuery('café naïve 東京')).toMatchObject({
      include: [{ words: ['café'] }, { words: ['naïve'] }, { words: ['東京'] }],
    });
  });

  it(`keeps at most ${SEARCH_LIMITS.words} words`, () => {
    const parsed = parseSearchQuery(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '));
    expect(parsed.include.flatMap((t) => t.words)).toHaveLength(SEARCH_LIMITS.words);
  });
});

describe('the search cursor', () => {
  it('round-trips, and anything else is a BAD_REQUEST', () => {
    const cursor = { offset: 20, upTo: '01a2386d-a166-77e1-aa49-ef497635803c' };
    expect(decodeSearchCursor(encodeSearchCursor(cursor))).toEqual(cursor);
    for (const forged of [
      '',
      'x',
      'bm90LWpzb24',
      encodeSearchCursor({ offset: SEARCH_LIMITS.window + 1, upTo: 'a' }),
    ]) {
      expect(() => decodeSearchCursor(forged)).toThrow(AppError);
    }
  });
});

describe('ZSearchInput', () => {
  it('bounds the query after trimming, the page size, and reads dates as ISO-8601', () => {
    expect(ZSearchInput.parse({ query: ' memo ' })).toMatchObject({ query: ' memo ', limit: 20 });
    expect(ZSearchInput.safeParse({ query: '   ' }).success).toBe(false);
    expect(ZSearchInput.safeParse({ query: ` ${'x'.repeat(200)} ` }).success).toBe(true);
    expect(ZSearchInput.safeParse({ query: 'x'.repeat(201) }).success).toBe(false);
    expect(ZSearchInput.safeParse({ query: 'memo', limit: 51 }).success).toBe(false);
    expect(ZSearchInput.parse({ query: 'memo', after: '2026-12-01T10:00:00+01:00' }).after).toBe(
      '2026-12-01T09:00:00.000Z',
    );
    expect(ZSearchInput.safeParse({ query: 'memo', before: 'yesterday' }).success).toBe(false);
  });
});
