import { describe, expect, it } from 'vitest';
import { type CodeToken, highlightCode, tokensOf } from './code-highlighter';
import { GRAMMARS } from './code-languages';

const textOf = (tokens: readonly CodeToken[]): string =>
  tokens.map((token) => (typeof token === 'string' ? token : textOf(token.children))).join('');
const classesOf = (tokens: readonly CodeToken[]): string[] =>
  tokens.flatMap((token) => (typeof token === 'string' ? [] : [token.classes, ...classesOf(token.children)]));

describe('highlightCode', () => {
  it('marks keywords and strings, and keeps the text to the character (indentation, tabs, blank lines)', () => {
    const code = '  const a = "x";\n\tif (a) {\n\n\t\treturn   a; // done\n\t}\n';
    const tokens = highlightCode('typescript', code);
    expect(textOf(tokens)).toBe(code);
    expect(classesOf(tokens)).toEqual(expect.arrayContaining(['hljs-keyword', 'hljs-string', 'hljs-comment']));
  });

  it('has every grammar the fence tags name', () => {
    for (const grammar of GRAMMARS) expect(textOf(highlightCode(grammar, 'a = 1\n')), grammar).toBe('a = 1\n');
  });

  it('keeps text as text: markup in code is never markup', () => {
    const code = '<img src=x onerror="alert(1)"> &amp;';
    expect(textOf(highlightCode('xml', code))).toBe(code);
  });
});

describe('tokensOf', () => {
  it('keeps only class names made of word characters and dashes, and drops other nodes', () => {
    const tokens = tokensOf([
      { type: 'element', properties: { className: ['hljs-title', 'function_', 'x" onclick="y'] }, children: [] },
      { type: 'comment', value: 'ignored' },
      { type: 'text', value: 'a' },
    ]);
    expect(tokens).toEqual([{ classes: 'hljs-title function_', children: [] }, 'a']);
  });
});
