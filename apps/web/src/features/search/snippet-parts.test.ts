import { describe, expect, it } from 'vitest';
import { snippetParts } from './snippet-parts';

describe('snippetParts', () => {
  it('marks the ranges and keeps the text between them', () => {
    expect(
      snippetParts('ship the release on friday', [
        [9, 16],
        [20, 26],
      ]),
    ).toEqual([
      { text: 'ship the ', mark: false },
      { text: 'release', mark: true },
      { text: ' on ', mark: false },
      { text: 'friday', mark: true },
    ]);
  });

  it('clips, merges and orders whatever ranges it gets, and never loses text', () => {
    const parts = snippetParts('abcdef', [
      [4, 99],
      [-3, 2],
      [1, 3],
      [3, 3],
    ]);
    expect(parts).toEqual([
      { text: 'abc', mark: true },
      { text: 'd', mark: false },
      { text: 'ef', mark: true },
    ]);
    expect(parts.map((p) => p.text).join('')).toBe('abcdef');
  });

  it('keeps markup as text', () => {
    expect(snippetParts('<b>hi</b>', [[3, 5]])).toEqual([
      { text: '<b>', mark: false },
      { text: 'hi', mark: true },
      { text: '</b>', mark: false },
    ]);
  });
});
