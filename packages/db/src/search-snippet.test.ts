import { describe, expect, it } from 'vitest';
import { MARK_END as E, readMarks, MARK_START as S, searchSnippet, snippetAround } from './search-snippet';

describe('readMarks', () => {
  it('gives the text without its marks and the marked ranges; e-mail marked in two parts is one range', () => {
    expect(readMarks(`the ${S}deploy${E} of ${S}e${E}-${S}mail${E}`, 'the deploy of e-mail')).toEqual({
      text: 'the deploy of e-mail',
      ranges: [
        [4, 10],
        [14, 20],
      ],
    });
  });

  it('trusts nothing when the text had the mark characters itself', () => {
    expect(readMarks(`a ${S}b${E}`, `a ${S}b`)).toBeNull();
    expect(searchSnippet(`a ${S}b`, `a ${S}${S}b${E}`)).toEqual({ snippet: `a ${S}b`, highlights: [] });
  });
});

describe('snippetAround', () => {
  it('keeps a short text whole', () => {
    expect(snippetAround('short text', [[0, 5]], 200)).toEqual({ snippet: 'short text', highlights: [[0, 5]] });
  });

  it('cuts a long one at spaces around the first match, with ellipses, the ranges moved along', () => {
    const text = `${'alpha '.repeat(30)}needle ${'omega '.repeat(30)}`;
    const at = text.indexOf('needle');
    const { snippet, highlights } = snippetAround(text, [[at, at + 6]], 60);
    expect(snippet.startsWith('…alpha')).toBe(true);
    expect(snippet.endsWith('omega…')).toBe(true);
    expect(snippet.length).toBeLessThanOrEqual(62);
    expect(highlights.map(([a, b]) => snippet.slice(a, b))).toEqual(['needle']);
  });

  it('never splits a surrogate pair', () => {
    const text = '😀'.repeat(100);
    const { snippet } = snippetAround(text, [[101, 103]], 51);
    expect(snippet.replace(/…/gu, '')).toMatch(/^(?:😀)+$/u);
  });
});
