import { describe, expect, it } from 'vitest';
import { GRAMMARS, grammarFor, highlightGrammar, MAX_HIGHLIGHT_CHARACTERS } from './code-languages';

describe('grammarFor', () => {
  it('knows the grammars by name and common aliases, in any case', () => {
    expect(grammarFor('typescript')).toBe('typescript');
    expect(grammarFor('ts')).toBe('typescript');
    expect(grammarFor('TSX')).toBe('typescript');
    expect(grammarFor('sh')).toBe('bash');
    expect(grammarFor('html')).toBe('xml');
    expect(grammarFor('yml')).toBe('yaml');
    for (const grammar of GRAMMARS) expect(grammarFor(grammar)).toBe(grammar);
  });

  it('guesses nothing: no tag, or one it does not know, is no grammar', () => {
    for (const tag of [undefined, null, '', '  ', 'brainfuck', 'constructor', '__proto__', 'toString']) {
      expect(grammarFor(tag), String(tag)).toBeNull();
    }
  });
});

describe('highlightGrammar', () => {
  it('highlights known code up to the limit, and nothing longer or empty', () => {
    expect(highlightGrammar('const a = 1;', 'ts')).toBe('typescript');
    expect(highlightGrammar('x'.repeat(MAX_HIGHLIGHT_CHARACTERS), 'ts')).toBe('typescript');
    expect(highlightGrammar('x'.repeat(MAX_HIGHLIGHT_CHARACTERS + 1), 'ts')).toBeNull();
    expect(highlightGrammar('', 'ts')).toBeNull();
    expect(highlightGrammar('const a = 1;', undefined)).toBeNull();
  });
});
