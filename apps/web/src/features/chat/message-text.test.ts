import { LIMITS } from '@hubbub/core';
import fc from 'fast-check';
import { createElement } from 'react';
import { renderToStaticMarkup, renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MarkdownText } from './markdown';
import { MESSAGE_BUDGET, type MessageBudget, type MessagePart, planMessage } from './markdown-plan';
import { fill, ordinaryLongReply, PATHOLOGICAL } from './markdown-test-data';
import { MessageText } from './message-text';

const html = (text: string, props: { streaming?: boolean; editedTitle?: string; budget?: MessageBudget } = {}) =>
  renderToStaticMarkup(
    createElement(MarkdownText, {
      text,
      caret: props.streaming,
      editedTitle: props.editedTitle,
      budget: props.budget,
    }),
  );

/** The element names in the output, e.g. ['div', 'p', 'code']. */
const tags = (markup: string) => [...markup.matchAll(/<([a-z][a-z0-9]*)\b/g)].map((m) => m[1]);

describe('MarkdownText (how MessageText renders a message)', () => {
  it('keeps plain text as typed, line breaks included', () => {
    expect(html('Hi Alice!\nSecond line.')).toBe('<div class="md"><p>Hi Alice!\nSecond line.</p></div>');
    expect(html('just words')).toBe('<div class="md"><p>just words</p></div>');
  });

  it('never turns raw HTML into elements', () => {
    const markup = html(
      '<img src=x onerror=alert(1)> and <script>alert(1)</script>\n\nhi <b>bold</b> <iframe src="https://e.com">',
    );
    expect(tags(markup)).toEqual(['div', 'p', 'p']);
    expect(markup).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(markup).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(markup).not.toMatch(/<(img|script|iframe|b)\b/);
    expect(markup).not.toMatch(/<[^>]*\sonerror=/);
  });

  it('links open in a new tab without access to the page; only http(s) and mailto', () => {
    const markup = html(
      'see https://example.com/a, [docs](http://docs.example.com) mail bob@example.com [bad](javascript:alert(1)) [rel](/admin)',
    );
    const links = [...markup.matchAll(/<a [^>]*>/g)].map((m) => m[0]);
    expect(links).toEqual([
      '<a href="https://example.com/a" target="_blank" rel="noopener noreferrer" title="https://example.com/a">',
      '<a href="http://docs.example.com" target="_blank" rel="noopener noreferrer" title="http://docs.example.com">',
      '<a href="mailto:bob@example.com" target="_blank" rel="noopener noreferrer" title="mailto:bob@example.com">',
    ]);
    expect(markup).not.toContain('javascript:');
    expect(markup).toContain('<span class="md-link-removed"');
    expect(markup).toContain('>bad</span>');
    expect(markup).toContain('>rel</span>');
  });

  it('renders images as links to them instead of loading them', () => {
    const markup = html('![a cat](https://example.com/cat.png) ![x](javascript:alert(1))');
    expect(markup).not.toMatch(/<img\b/);
    expect(markup).toContain('<a href="https://example.com/cat.png"');
    expect(markup).toContain('Image: a cat');
    expect(markup).not.toContain('javascript:');
  });

  it('renders lists, inline code, emphasis and tables without stray blank lines', () => {
    const markup = html(
      'Steps:\n\n- run `pnpm dev`\n- **then** _wait_\n  1. nested\n\n| a | b |\n|---|---|\n| 1 | 2 |',
    );
    expect(markup).toBe(
      '<div class="md"><p>Steps:</p><ul><li>run <code>pnpm dev</code></li><li><strong>then</strong> <em>wait</em>' +
        '<ol><li>nested</li></ol></li></ul><div class="md-table-wrap"><table><thead><tr><th>a</th><th>b</th></tr></thead>' +
        '<tbody><tr><td>1</td><td>2</td></tr></tbody></table></div></div>',
    );
  });

  it('makes an @assistant mention stand out', () => {
    expect(html('@assistant help')).toBe('<div class="md"><p><span class="mention">@assistant</span> help</p></div>');
  });

  it('gives code blocks a language label and a Copy button', () => {
    const markup = html('```ts\nconst a = 1;\n```');
    expect(markup).toContain('<span class="md-code-lang">ts</span>');
    expect(markup).toMatch(/<button type="button" class="md-copy"[^>]*>.*Copy<\/span><\/button>/);
    expect(markup).toContain('<pre><code class="language-ts">const a = 1;\n</code></pre>');
  });

  it('puts the streaming caret and the edited mark at the end of the last line, not below it', () => {
    expect(html('Hello wor', { streaming: true })).toBe(
      '<div class="md"><p>Hello wor<span class="cursor" aria-hidden="true" data-testid="stream-caret"></span></p></div>',
    );
    // Bold still being written shows as bold already.
    expect(html('Hello **wor', { streaming: true })).toBe(
      '<div class="md"><p>Hello <strong>wor<span class="cursor" aria-hidden="true" data-testid="stream-caret"></span></strong></p></div>',
    );
    expect(html('Hello **wor', { streaming: false })).toBe('<div class="md"><p>Hello **wor</p></div>');
    expect(html('- one\n- two', { streaming: true })).toContain(
      '<li>two<span class="cursor" aria-hidden="true" data-testid="stream-caret"></span></li>',
    );
    expect(html('fixed', { editedTitle: 'Edited today' })).toBe(
      '<div class="md"><p>fixed<span class="edited" title="Edited today"> (edited)</span></p></div>',
    );
    // In a code block the caret goes after the block, not into the code someone may copy.
    expect(html('```\nx\n```', { streaming: true })).toMatch(/<\/pre><\/div><span class="cursor"/);
    expect(html('', { streaming: true })).toBe(
      '<div class="md"><span class="cursor" aria-hidden="true" data-testid="stream-caret"></span></div>',
    );
  });
});

/** `text` escaped the way React writes it into HTML. */
const escaped = (text: string) =>
  renderToStaticMarkup(createElement('p', null, text)).slice('<p>'.length, -'</p>'.length);
const NOTE = 'data-testid="plain-text-note"';

/** The markup of a part shown as plain text, with its note. */
const plainPart = (part: MessagePart) =>
  `<div class="md md-plain" data-plain="${part.plan}"><p>${escaped(part.text)}</p>`;

describe('MarkdownText: blocks it will not parse', () => {
  it('shows a message nested too deep as typed, with a calm note', () => {
    expect(html('>'.repeat(7990))).toBe(
      `<div class="md"><div class="md md-plain" data-plain="too-nested"><p>${'&gt;'.repeat(7990)}</p>` +
        `<p class="md-plain-note" ${NOTE}>Shown as plain text: too deeply nested to format</p></div></div>`,
    );
  });

  it('says when a message is too complex rather than too deep', () => {
    const markup = html('*a'.repeat(4000));
    expect(markup).toContain(`<p>${'*a'.repeat(4000)}</p>`);
    expect(markup).toContain('Shown as plain text: too complex to format');
  });

  it('keeps spaces, line breaks, mentions, the edited mark and the caret in plain text', () => {
    const text = `${'> '.repeat(20)}hi @assistant\n\n    indented  <b>raw</b>`;
    expect(html(text, { streaming: true, editedTitle: 'Edited today' })).toBe(
      `<div class="md"><div class="md md-plain" data-plain="too-nested"><p>${'&gt; '.repeat(20)}hi <span class="mention">@assistant</span>` +
        '\n\n    indented  &lt;b&gt;raw&lt;/b&gt;<span class="edited" title="Edited today"> (edited)</span>' +
        '<span class="cursor" aria-hidden="true" data-testid="stream-caret"></span></p>' +
        `<p class="md-plain-note" ${NOTE}>Shown as plain text: too deeply nested to format</p></div></div>`,
    );
  });

  it('shows only the pathological block as plain text; the blocks around it stay formatted', () => {
    const text = `Before **bold**\n\n${'>'.repeat(7990)}\n\n- after\n- \`code\``;
    expect(html(text)).toBe(
      '<div class="md"><p>Before <strong>bold</strong></p>' +
        `<div class="md md-plain" data-plain="too-nested"><p>${'&gt;'.repeat(7990)}</p>` +
        `<p class="md-plain-note" ${NOTE}>Shown as plain text: too deeply nested to format</p></div>` +
        '<ul><li>after</li><li><code>code</code></li></ul></div>',
    );
  });

  it('ends the message with the caret and the edited mark, after a plain block too', () => {
    const marks =
      '<span class="edited" title="Edited today"> (edited)</span><span class="cursor" aria-hidden="true" data-testid="stream-caret"></span>';
    const stars = '*a'.repeat(4000);
    expect(html(`${stars}\n\nthe end`, { streaming: true, editedTitle: 'Edited today' })).toBe(
      `<div class="md"><div class="md md-plain" data-plain="too-complex"><p>${stars}</p>` +
        `<p class="md-plain-note" ${NOTE}>Shown as plain text: too complex to format</p></div><p>the end${marks}</p></div>`,
    );
    expect(html(`the start\n\n${stars}`, { streaming: true, editedTitle: 'Edited today' })).toBe(
      `<div class="md"><p>the start</p><div class="md md-plain" data-plain="too-complex"><p>${stars}${marks}</p>` +
        `<p class="md-plain-note" ${NOTE}>Shown as plain text: too complex to format</p></div></div>`,
    );
  });

  it('shows the rest of a message past the total budget as plain text, with a note', () => {
    const text = `Intro with **bold**\n\n${'a\n\n'.repeat(3000)}@assistant the last words`;
    const markup = html(text, { editedTitle: 'Edited today' });
    expect(markup.startsWith('<div class="md"><p>Intro with <strong>bold</strong></p><p>a</p>')).toBe(true);
    expect(markup).toMatch(
      /<div class="md md-plain" data-plain="too-long"><p>a\n\na\n\n[^<]*<span class="mention">@assistant<\/span> the last words<span class="edited" title="Edited today"> \(edited\)<\/span><\/p>/,
    );
    expect(markup).toContain(
      `<p class="md-plain-note" ${NOTE}>Shown as plain text: the rest of this message is too long to format</p></div></div>`,
    );
  });

  it.each(Object.entries(PATHOLOGICAL))(
    'renders "%s" without throwing, each block formatted or as text with the note',
    (_name, text) => {
      const markup = renderToString(createElement(MessageText, { text }));
      const { parts } = planMessage(text);
      for (const part of parts) if (part.plan !== 'format') expect(markup).toContain(plainPart(part));
      expect(markup.split(NOTE).length - 1).toBe(parts.filter((part) => part.plan !== 'format').length);
    },
  );
});

/** Every block in a part of its own: rendered that way, a message must look as it does in one parse. */
const EACH_BLOCK: MessageBudget = { ...MESSAGE_BUDGET, part: 0 };

describe('MarkdownText: long messages, block by block', () => {
  it.each([
    ['a loose list', '1. one\n\n   more of one\n\n2. two\n   - nested\n\n     loose\n\n3. three', 1],
    ['a code block in a list item', '1. Run:\n\n   ```bash\n   pnpm i\n\n   pnpm dev\n   ```\n\n2. Open it.', 1],
    ['an ordered list that goes on after a paragraph', '1. one\n\nBetween\n\n2. two\n3. three', 3],
    ['a code block with blank lines', 'Look:\n\n```ts\nconst a = 1;\n\n\nconst b = 2;\n```\n\nDone.', 3],
    ['setext headings', 'Title\n=====\n\nText\n\nSub\n---\n\nMore', 4],
    ['a table after a paragraph line', 'Results:\n| a | b |\n|---|---|\n| *1* | 2 |\n\nAfter', 2],
    ['quotes', '> one\n>\n> two\n\n> another', 2],
    [
      'reference links defined at the end',
      'See [the docs][d] and [d].\n\n# Then\n\nAgain [d].\n\n[d]: https://d.example "Docs"',
      4,
    ],
    ['headings and fences with no blank lines', 'Intro\n# Title\ntext\n```\ncode\n```\nafter', 5],
  ])('%s looks as it does in one parse', (_name, text, blocks) => {
    expect(planMessage(text, { budget: EACH_BLOCK }).parts).toHaveLength(blocks);
    expect(html(text, { budget: EACH_BLOCK, editedTitle: 'Edited today' })).toBe(
      html(text, { editedTitle: 'Edited today' }),
    );
  });

  it('a 20,000-character reply is formatted all through, and ends with the caret', () => {
    const reply = ordinaryLongReply(20_000);
    const markup = html(reply, { streaming: true });
    expect(markup).not.toContain(NOTE);
    expect(markup.match(/data-testid="code-block"/g)?.length).toBeGreaterThan(15);
    expect(markup.match(/<table>/g)?.length).toBeGreaterThan(5);
    expect(markup.match(/<h2>/g)?.length).toBeGreaterThan(5);
    expect(markup).toContain('<span class="mention">@assistant</span>');
    expect(markup).toMatch(
      /<strong>run it<\/strong>, check the <code>logs<\/code>, and adjust\.<span class="cursor"[^>]*><\/span><\/p><\/div>$/,
    );
  });

  it('a list too long for one parse keeps its numbering across its parts', () => {
    // Ordinary items (a bold lead, then prose): too many tokens for one parse, well within the message's total.
    const items = Array.from({ length: 300 }, (_, k) => `1. **Item ${k + 1}:** \`code\` ${fill('plain words ', 100)}`);
    const markup = html(items.join('\n\n'));
    expect(markup).not.toContain(NOTE);
    const starts = [...markup.matchAll(/<ol( start="(\d+)")?>/g)].map((m) => Number(m[2] ?? 1));
    expect(starts.length).toBeGreaterThan(1);
    expect(starts[0]).toBe(1);
    const counts = markup
      .split(/<ol[^>]*>/)
      .slice(1)
      .map((list) => list.split('</ol>')[0]?.match(/<li>/g)?.length ?? 0);
    expect(starts).toEqual(counts.map((_, i) => 1 + counts.slice(0, i).reduce((a, b) => a + b, 0)));
  });

  it('footnotes in a reply too long for one parse are listed after the part that refers to them', () => {
    const markup = html(`A claim[^1].\n\n${ordinaryLongReply(20_000)}\n\n[^1]: The source.`);
    expect(markup).toMatch(/^<div class="md"><p>A claim<sup><span [^>]*>1<\/span><\/sup>\.<\/p>/);
    expect(markup.match(/<section data-footnotes="true"/g)).toHaveLength(1);
    expect(markup.match(/The source\./g)).toHaveLength(1);
    expect(markup.indexOf('The source.')).toBeLessThan(markup.indexOf('That is all it takes'));
  });
});

/** Markdown's building blocks, to repeat and mix: the shapes that make parsers work hard. */
const MARKDOWN_UNITS = [
  ...['>', '> ', '- ', '* ', '+ ', '1. ', '[^a]: ', '  ', '\t', '\n', '\n\n', '#', '=', '<div>', '<!--', ' '],
  ...['*', '**', '_', '~', '~~', '`', '```', '[', ']', '](', '![', '<', '|', '\\', '&', '@', 'a'],
  ...['*a', 'a*', '_a', '~a', '`a', '[a](', 'a\n=\n', 'http://a.b '],
];
const unit = fc.oneof(fc.constantFrom(...MARKDOWN_UNITS), fc.string({ minLength: 1, maxLength: 4 }));
/** Long messages need long arrays: fast-check keeps arrays short unless told otherwise. */
const longArrays = (max: number) => (max > LIMITS.message ? 'max' : undefined);
/** Any string up to `max` characters, biased to Markdown's hard cases. */
const anyMessageUpTo = (max: number) => {
  const repeated = fc
    .tuple(unit, fc.integer({ min: 1, max }))
    .map(([piece, times]) => piece.repeat(times).slice(0, max));
  const mixed = fc
    .array(fc.oneof(unit, repeated), { maxLength: 300, size: longArrays(max) })
    .map((pieces) => pieces.join('').slice(0, max));
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength: max }),
    fc.string({ unit: 'grapheme', maxLength: 2000 }),
    repeated,
    mixed,
  );
};
/** What a reply may be: no limit, but 30,000 characters is long for one. */
const LONG_REPLY = 30_000;

/** The letters and digits of a text, in order. */
const alphanumerics = (text: string) => text.replace(/[^\p{L}\p{N}]/gu, '');
/** What a reader sees of rendered markup: the text between the tags. */
const visibleText = (markup: string) =>
  markup
    .replace(/<[^>]*>/g, '')
    .replace(
      /&(lt|gt|quot|#x27|amp);/g,
      (_m, name: string) => ({ lt: '<', gt: '>', quot: '"', '#x27': "'", amp: '&' })[name] ?? '',
    );
const isSubsequence = (needle: string, haystack: string) => {
  const wanted = [...needle];
  let at = 0;
  for (const ch of haystack) if (ch === wanted[at]) at++;
  return at === wanted.length;
};

/** Renders `text` and checks that each part is formatted, or shows as typed with its note. */
function rendersEveryPart(text: string) {
  const markup = renderToString(createElement(MessageText, { text }));
  expect(markup.startsWith('<div class="md">')).toBe(true);
  const unmarked = markup.replace(/<span class="mention">([^<]*)<\/span>/g, '$1');
  for (const part of planMessage(text).parts) if (part.plan !== 'format') expect(unmarked).toContain(plainPart(part));
  return markup;
}

// Markdown hides some characters by design, so these are left out: link destinations
// and definitions ("(", ":"), entities ("&"), table cells past the header's count ("|"),
// task-list checks ("x"), ordered-list numbers and a code fence's info string (fences
// here are "```" alone on their line).
const contentPieces = [
  ...['>', '> ', '- ', '* ', '+ ', '  ', '\n', '\n\n', '*', '**', '_', '~~', '`', '```\n', '[', ']', '![', '<', '#'],
  ...['\\', '@', '=', '-', 'a', 'b', '7', 'é', 'word', 'a@b.co', 'www.x.y', '@assistant', ' '],
];
const contentPiece = fc.constantFrom(...contentPieces);
/** Text up to `max` characters whose letters and digits all show, formatted or not. */
const contentMessageUpTo = (max: number, pieces: number, run: number) =>
  fc
    .array(
      fc.oneof(
        contentPiece,
        contentPiece.map((piece) => piece.repeat(run)),
      ),
      { maxLength: pieces, size: longArrays(max) },
    )
    .map((parts) =>
      parts
        .join('')
        .replace(/`{3,}(?!\n)/g, '``')
        .replace(/~{3,}/g, '~~')
        .slice(0, max),
    );

describe('MessageText on any input (fast-check)', () => {
  it('never throws: formats each block, or shows it as plain text with the note', () => {
    fc.assert(
      fc.property(anyMessageUpTo(LIMITS.message), (text) => {
        rendersEveryPart(text);
      }),
      { numRuns: 300 },
    );
  });

  it('formatted or not, every letter and digit of the text is shown, in order', () => {
    fc.assert(
      fc.property(contentMessageUpTo(LIMITS.message, 100, 40), (text) => {
        const markup = renderToString(createElement(MessageText, { text }));
        expect(isSubsequence(alphanumerics(text), alphanumerics(visibleText(markup)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe(`MessageText on long replies, up to ${LONG_REPLY} characters (fast-check)`, () => {
  it('never throws, and shows every letter and digit, in order', () => {
    const reply = fc.oneof(
      anyMessageUpTo(LONG_REPLY).map((text) => ({ text, hidesNothing: false })),
      contentMessageUpTo(LONG_REPLY, 400, 200).map((text) => ({ text, hidesNothing: true })),
    );
    fc.assert(
      fc.property(reply, ({ text, hidesNothing }) => {
        const markup = rendersEveryPart(text);
        // Where Markdown hides nothing by design (see contentPieces), all of the text shows.
        if (hidesNothing) expect(isSubsequence(alphanumerics(text), alphanumerics(visibleText(markup)))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
