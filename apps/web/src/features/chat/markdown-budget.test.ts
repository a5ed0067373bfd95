import fc from 'fast-check';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import Markdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { describe, expect, it } from 'vitest';
import { MARKDOWN_BUDGET, type MarkdownPlan, measureMarkdown, planMarkdown } from './markdown-budget';
import { deeplyQuoted, fill, ordinaryLongMessage, PATHOLOGICAL } from './markdown-test-data';

describe('planMarkdown: ordinary Markdown stays formatted', () => {
  it.each([
    ['plain words', 'Hi Alice!\nSecond line.'],
    ['emphasis, code, links', 'some **bold**, _soft_, ~~gone~~, `code` and [a link](https://example.com)'],
    ['a nested list', '- one\n  - two\n    1. three\n    2. four\n- five'],
    ['quotes three deep', '> said\n> > she said\n> > > he said'],
    ['a code block', '```ts\nconst a = [1, 2, 3].map((x) => x * 2);\n```'],
    ['a table', '| a | b |\n|---|---|\n| *1* | **2** |\n| 3 | `4` |'],
    ['a task list', '- [ ] todo\n- [x] done'],
    ['headings and rules', '# Title\n\nText\n\n---\n\nSub\n==='],
  ])('%s', (_label, text) => {
    expect(planMarkdown(text)).toBe('format');
  });

  it('an 8,000-character message full of ordinary formatting', () => {
    const text = ordinaryLongMessage();
    expect(text.length).toBeGreaterThan(7500);
    expect(planMarkdown(text)).toBe('format');
  });

  it('bold on every line of a long message', () => {
    expect(planMarkdown(fill('- **Note:** something to remember\n'))).toBe('format');
  });

  it('deep nesting inside a top-level code block is code, not nesting', () => {
    const code = Array.from({ length: 40 }, (_, k) => `${' '.repeat(2 * k)}> - [${k}] *x_${k}*`).join('\n');
    expect(planMarkdown(`Look:\n\n\`\`\`\n${code}\n\`\`\`\n\ndone`)).toBe('format');
    expect(planMarkdown(`~~~~\n${'>'.repeat(500)}\n~~~~`)).toBe('format');
  });
});

const EXPECTED: Record<keyof typeof PATHOLOGICAL, MarkdownPlan> = {
  'block quotes (7,990 ">")': 'too-nested',
  'block quotes with spaces': 'too-nested',
  'nested list by indentation': 'too-nested',
  'nested ordered lists on one line': 'too-nested',
  'quote and list markers': 'too-nested',
  'nested footnote definitions': 'too-nested',
  'emphasis nested in emphasis': 'too-nested',
  'long emphasis runs': 'too-nested',
  'brackets (8,000 "[")': 'too-nested',
  'closing brackets': 'too-complex',
  'link openers': 'too-complex',
  'emphasis marks (4,000 "*a")': 'too-complex',
  'intraword emphasis': 'too-complex',
  'strikethrough marks': 'too-complex',
  'setext headings': 'too-complex',
  // One run of backticks is a code fence, growing runs never match: cheap, so formatted.
  'backtick run': 'format',
  'code spans': 'too-complex',
  'growing backtick runs': 'format',
  paragraphs: 'too-complex',
  headings: 'too-complex',
  'list items': 'too-complex',
  'table rows': 'too-complex',
  'email addresses': 'too-complex',
  'a conversation quoted 60 levels deep': 'too-nested',
};

describe('planMarkdown: pathological messages (8,000 characters)', () => {
  it.each(Object.entries(PATHOLOGICAL))('%s', (name, text) => {
    expect(text.length).toBeGreaterThan(7400);
    expect(planMarkdown(text)).toBe(EXPECTED[name as keyof typeof PATHOLOGICAL]);
  });
});

describe('measureMarkdown', () => {
  it('counts block quotes with or without spaces between the markers', () => {
    expect(measureMarkdown('>>> a').blockDepth).toBe(3);
    expect(measureMarkdown('> > > a').blockDepth).toBe(3);
    expect(measureMarkdown('>\t>  > a').blockDepth).toBeGreaterThanOrEqual(3);
    // A line of nothing but markers is still that deep.
    expect(measureMarkdown('>'.repeat(20)).blockDepth).toBe(20);
  });

  it('counts list depth by markers and by indentation', () => {
    expect(measureMarkdown('- - - a').blockDepth).toBe(3);
    expect(measureMarkdown('1. 2) + a').blockDepth).toBe(3);
    expect(measureMarkdown('- a\n  - b\n    - c').blockDepth).toBe(3);
    expect(measureMarkdown('> - > 1. a').blockDepth).toBe(4);
    // Each level needs two columns at least; tabs count as four.
    expect(measureMarkdown('\t\t- a').blockDepth).toBe(5);
    // Indentation without a marker opens nothing.
    expect(measureMarkdown('        indented code').blockDepth).toBe(0);
  });

  it('counts footnote definitions, which nest like quotes', () => {
    expect(measureMarkdown('[^a]: [^b]: [^c]: x').blockDepth).toBe(3);
  });

  it('counts emphasis and brackets left open, per paragraph', () => {
    expect(measureMarkdown('*a **b ~~c').inlineDepth).toBe(5);
    expect(measureMarkdown('[[[a').inlineDepth).toBe(3);
    expect(measureMarkdown('*a*a').inlineDepth).toBe(1);
    // Closed marks close: a long line of bold stays shallow.
    expect(measureMarkdown(fill('**b** ', 600)).inlineDepth).toBe(2);
    // A blank line (or one of only ">") ends the paragraph and what it left open.
    expect(measureMarkdown('*a *b\n\n*c *d').inlineDepth).toBe(2);
    expect(measureMarkdown('> *a *b\n>\n> *c *d').inlineDepth).toBe(2);
    // A lone "1." does not: after a paragraph line it is more text; so is a deeply indented ">".
    expect(measureMarkdown('*a *b\n1.\n*c *d').inlineDepth).toBe(4);
    expect(measureMarkdown('*a *b\n    >\n*c *d').inlineDepth).toBe(4);
  });

  it('skips what cannot be a mark: escapes and intraword underscores', () => {
    expect(measureMarkdown('\\*a \\*b \\[c').inlineDepth).toBe(0);
    expect(measureMarkdown('snake_case_name and_more_').inlineDepth).toBe(0);
  });

  it('counts backtick runs as marks and a long run as one', () => {
    expect(measureMarkdown('`a` `b`').tokens).toBe(1 + 1 + 4);
    expect(measureMarkdown(`x${'`'.repeat(7998)}x`).tokens).toBe(1 + 1 + 1);
  });

  it('does not let a fence that is not one hide what follows', () => {
    const deep = '>'.repeat(40);
    // Indented: the fence belongs to the list item, which the next line ends.
    expect(planMarkdown(`- \`\`\`\n${deep}`)).toBe('too-nested');
    // Inside an HTML block the fence is HTML; the block ends at the blank line or "-->".
    expect(planMarkdown(`<div>\n\`\`\`\n\n${deep}`)).toBe('too-nested');
    expect(planMarkdown(`<!--\n\n\`\`\`\n\n-->\n${deep}`)).toBe('too-nested');
    expect(planMarkdown(`<!-->\n\`\`\`\n-->\n${deep}`)).toBe('too-nested');
    // A backtick fence cannot have a backtick in its info string: this is inline code.
    expect(planMarkdown(`\`\`\` a\`b\n${deep}`)).toBe('too-nested');
    // A closing fence may be indented up to three spaces.
    expect(planMarkdown(`\`\`\`\ncode\n   \`\`\`\n${deep}`)).toBe('too-nested');
  });

  it('grows the token count with lines, blocks and marks', () => {
    expect(measureMarkdown('just words').tokens).toBe(2);
    expect(measureMarkdown('a\nb\nc').tokens).toBe(4);
    expect(measureMarkdown('a\n\nb').tokens).toBe(4);
    expect(measureMarkdown('# a').tokens).toBe(4);
    expect(measureMarkdown('- a').tokens).toBe(4);
    expect(measureMarkdown('see www.example.com or a@b.co').tokens).toBe(2 + 2 + 2);
  });

  it('the budget is deeper than real messages and shallower than trouble', () => {
    expect(planMarkdown(deeplyQuoted(MARKDOWN_BUDGET.blockDepth))).toBe('format');
    expect(planMarkdown(deeplyQuoted(MARKDOWN_BUDGET.blockDepth + 1))).toBe('too-nested');
  });
});

interface TreeNode {
  type: string;
  children?: TreeNode[];
}

/** The syntax tree react-markdown builds for `text` (the real parser, GFM included). */
function parse(text: string): TreeNode {
  let tree: TreeNode | undefined;
  const capture = () => (root: TreeNode) => {
    tree = root;
  };
  renderToStaticMarkup(createElement(Markdown, { remarkPlugins: [remarkGfm, capture], children: text }));
  if (!tree) throw new Error('the parser built no tree');
  return tree;
}

const CONTAINERS = new Set(['blockquote', 'listItem', 'footnoteDefinition']);
const INLINE = new Set(['emphasis', 'strong', 'delete', 'link', 'linkReference']);

/** How deep the tree really nests, and how big it is. */
function treeShape(tree: TreeNode) {
  const shape = { blockDepth: 0, inlineDepth: 0, nodes: 0 };
  const walk = (node: TreeNode, block: number, inline: number) => {
    const b = block + (CONTAINERS.has(node.type) ? 1 : 0);
    const i = inline + (INLINE.has(node.type) ? 1 : 0);
    shape.nodes += 1;
    shape.blockDepth = Math.max(shape.blockDepth, b);
    shape.inlineDepth = Math.max(shape.inlineDepth, i);
    for (const child of node.children ?? []) walk(child, b, i);
  };
  walk(tree, 0, 0);
  return shape;
}

const piecesOf = (pieces: string[], maxLength: number) =>
  fc.array(fc.constantFrom(...pieces), { maxLength }).map((parts) => parts.join(''));
const INLINE_PIECES = ['*', '**', '_', '__', '~', '~~', '`', '[', ']', '](x)', '![', '\\', '<', '>', '(', ')'];
const BLOCK_PIECES = ['>', '> ', '- ', '* ', '+ ', '1. ', '2) ', '[^a]: ', '#', '# ', '=', '-', '|', '|-|'];
const FENCE_PIECES = ['```', '~~~', '<div>', '<!--', '-->', '<pre>', '</pre>'];
const TEXT_PIECES = ['a', 'b c', 'x_y', 'a*b', '.', ',', ' ', '  ', '    ', '\t', '\n', '\n', '\n\n', '@', 'a@b.co'];
const markdownish = fc.oneof(
  piecesOf([...INLINE_PIECES, ...BLOCK_PIECES, ...FENCE_PIECES, ...TEXT_PIECES], 200),
  piecesOf([...INLINE_PIECES, ...TEXT_PIECES], 200),
  piecesOf([...BLOCK_PIECES, ...FENCE_PIECES, ...TEXT_PIECES], 200),
);

describe('measureMarkdown bounds what the parser really builds (fast-check)', () => {
  it('nesting is never deeper, nor the tree bigger, than measured', () => {
    fc.assert(
      fc.property(markdownish, (text) => {
        const measure = measureMarkdown(text);
        const shape = treeShape(parse(text));
        expect(shape.blockDepth).toBeLessThanOrEqual(measure.blockDepth);
        // A bare URL's link is the one level no bracket announces; it only holds text.
        expect(shape.inlineDepth).toBeLessThanOrEqual(measure.inlineDepth + 1);
        expect(shape.nodes).toBeLessThanOrEqual(3 * measure.tokens + 3);
      }),
      { numRuns: 2000 },
    );
  });
});
