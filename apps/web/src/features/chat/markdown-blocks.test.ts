import { describe, expect, it } from 'vitest';
import { linesOf, listItems, renumbered, splitBlocks } from './markdown-blocks';

const blocks = (text: string) => splitBlocks(text).map((block) => block.text);

describe('splitBlocks', () => {
  it('splits at blank lines, leaving the blank lines out', () => {
    expect(blocks('one\ntwo\n\nthree\n\n\n  \nfour')).toEqual(['one\ntwo', 'three', 'four']);
    expect(blocks('\n\nonly\n\n')).toEqual(['only']);
    expect(blocks('')).toEqual([]);
    expect(blocks(' \n\t\n')).toEqual([]);
  });

  it('knows where each block is in the message, whatever the line endings', () => {
    const text = 'one\r\ntwo\r\n\r\nthree\rfour';
    expect(splitBlocks(text)).toEqual([
      { text: 'one\r\ntwo', start: 0, end: 8 },
      { text: 'three\rfour', start: 12, end: 22 },
    ]);
  });

  it('keeps a fenced code block whole, blank lines and all', () => {
    const code = '```ts\nconst a = 1;\n\n\nconst b = 2;\n```';
    expect(blocks(`Look:\n\n${code}\n\nDone.`)).toEqual(['Look:', code, 'Done.']);
    expect(blocks('~~~~\n```\n\n~~~\nstill code\n~~~~\nafter')).toEqual([
      '~~~~\n```\n\n~~~\nstill code\n~~~~',
      'after',
    ]);
    // A reply still streaming: the open fence runs to the end.
    expect(blocks('Here:\n\n```py\nx = 1\n\ny = 2')).toEqual(['Here:', '```py\nx = 1\n\ny = 2']);
  });

  it('starts a block at a fence or an ATX heading, which interrupt a paragraph', () => {
    expect(blocks('Run this:\n```\nnpm test\n```\nThen check.')).toEqual([
      'Run this:',
      '```\nnpm test\n```',
      'Then check.',
    ]);
    expect(blocks('intro\n# Title\nbody\n## Sub')).toEqual(['intro', '# Title', 'body', '## Sub']);
    // Not headings: "#hashtag", and "#" indented as code.
    expect(blocks('a\n#hashtag\n    # code')).toEqual(['a\n#hashtag\n    # code']);
  });

  it('keeps a setext heading with its text', () => {
    expect(blocks('Title\n=====\n\nSub\ntitle\n---\n\ntext')).toEqual(['Title\n=====', 'Sub\ntitle\n---', 'text']);
  });

  it('keeps a table whole, with the line before it', () => {
    const table = '| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |';
    expect(blocks(`Results:\n${table}\n\nNext`)).toEqual([`Results:\n${table}`, 'Next']);
  });

  it('keeps a loose list whole: items, their paragraphs, nested lists and code', () => {
    const list = [
      '1. **Install**',
      '',
      '   Run the installer:',
      '',
      '   ```bash',
      '   pnpm install',
      '',
      '   pnpm build',
      '   ```',
      '',
      '2. **Configure**',
      '   - `PORT`',
      '',
      '     the port to listen on',
      '',
      '     nested continuation',
      '3. Start',
    ].join('\n');
    expect(blocks(`Steps:\n\n${list}\n\nThat's it.`)).toEqual(['Steps:', list, "That's it."]);
    expect(blocks('- a\n\n- b\n\n\n* c\n\nafter')).toEqual(['- a\n\n- b\n\n\n* c', 'after']);
  });

  it('ends a list where the next line after a blank line is not indented', () => {
    expect(blocks('1. one\n\nBetween\n\n2. two')).toEqual(['1. one', 'Between', '2. two']);
  });

  it('takes a fence indented less than the item above for top level, as the parser does', () => {
    // "1. " puts an item's content at column 3: a fence at column 2 is no part of it.
    const code = '  ```\n  x\n\n  y\n  ```';
    expect(blocks(`1. Install:\n${code}\n\nafter`)).toEqual(['1. Install:', code, 'after']);
    // At column 3 it is the item's, blank line and all.
    expect(blocks('1. Install:\n   ```\n   x\n\n   y\n   ```')).toEqual(['1. Install:\n   ```\n   x\n\n   y\n   ```']);
  });

  it('keeps a block quote whole across lines of only ">", and two quotes apart', () => {
    expect(blocks('> one\n>\n> two\n> > deeper')).toEqual(['> one\n>\n> two\n> > deeper']);
    expect(blocks('> one\n\n> two')).toEqual(['> one', '> two']);
  });

  it('keeps indented code whole across blank lines, with what follows it (the parser reads that as interrupting it)', () => {
    expect(blocks('    a\n\n    b\n\nafter\n\nnext')).toEqual(['    a\n\n    b\n\nafter', 'next']);
    // Alone, "2. item" would be a list; after the code it is text.
    expect(blocks('    code\n\n2. item')).toEqual(['    code\n\n2. item']);
  });

  it('keeps raw HTML whole until it ends', () => {
    expect(blocks('<!--\nnote\n\n# not a heading\n\n-->\nafter\n\nnext')).toEqual([
      '<!--\nnote\n\n# not a heading\n\n-->\nafter',
      'next',
    ]);
    expect(blocks('<div>\n# raw\n\ntext')).toEqual(['<div>\n# raw', 'text']);
    // Text that only starts with "<" is no HTML: the fence after it still counts.
    expect(blocks('<https://example.com>\n```\na\n\nb\n```')).toEqual(['<https://example.com>', '```\na\n\nb\n```']);
  });

  it('keeps footnote and reference definitions with what is indented under them', () => {
    expect(blocks('[^1]: a note\n\n    more of the note\n\n[a]: https://a.example')).toEqual([
      '[^1]: a note\n\n    more of the note',
      '[a]: https://a.example',
    ]);
  });
});

describe('listItems', () => {
  const [list] = splitBlocks('Intro:\n1. one\n\n   more\n1. two\n   - nested\n1. three');
  if (!list) throw new Error('no block');

  it('cuts a block before each top-level item, lines before the first item apart', () => {
    expect(listItems(list).map((piece) => piece.text)).toEqual([
      'Intro:',
      '1. one\n\n   more',
      '1. two\n   - nested',
      '1. three',
    ]);
  });

  it('says which number an ordered item cut from its list stands for', () => {
    const pieces = listItems(list);
    expect(pieces.map((piece) => piece.continues)).toEqual([undefined, undefined, 2, 3]);
    expect(pieces.map(renumbered)).toEqual(['Intro:', '1. one\n\n   more', '2. two\n   - nested', '3. three']);
    // A list numbers on from its first item, whatever the items after it say.
    const [from7] = splitBlocks('7) a\n9) b\n2) c');
    if (!from7) throw new Error('no block');
    expect(listItems(from7).map(renumbered)).toEqual(['7) a', '8) b', '9) c']);
  });

  it('starts counting again at a new list', () => {
    const [two] = splitBlocks('1. a\n2. b\n- c\n1. d\n5. e');
    if (!two) throw new Error('no block');
    expect(listItems(two).map(renumbered)).toEqual(['1. a', '2. b', '- c', '1. d', '2. e']);
  });

  it('does not cut where a marker is only text: a "2." after a paragraph line, code, a rule', () => {
    const [block] = splitBlocks('Text\n2. not a list\n* * *\n- a\n```\n- code\n```');
    if (!block) throw new Error('no block');
    expect(listItems(block).map((piece) => piece.text)).toEqual(['Text\n2. not a list\n* * *', '- a']);
  });

  it('keeps where each piece is in the message', () => {
    const text = 'Hi\n\n- a\n- b';
    const [, items] = splitBlocks(text);
    if (!items) throw new Error('no block');
    for (const piece of listItems(items)) expect(text.slice(piece.start, piece.end)).toBe(piece.text);
  });
});

describe('linesOf', () => {
  it('finds each line and where it is, whatever ends it', () => {
    expect(linesOf('a\r\nb\rc\n')).toEqual([
      { text: 'a', start: 0, end: 1 },
      { text: 'b', start: 3, end: 4 },
      { text: 'c', start: 5, end: 6 },
      { text: '', start: 7, end: 7 },
    ]);
  });
});
