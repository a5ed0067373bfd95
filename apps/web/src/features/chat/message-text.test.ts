import { LIMITS } from '@hubbub/core';
import fc from 'fast-check';
import { createElement } from 'react';
import { renderToStaticMarkup, renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MarkdownText } from './markdown';
import { planMarkdown } from './markdown-budget';
import { PATHOLOGICAL } from './markdown-test-data';
import { MessageText } from './message-text';

const html = (text: string, props: { streaming?: boolean; editedTitle?: string } = {}) =>
  renderToStaticMarkup(createElement(MarkdownText, { text, caret: props.streaming, editedTitle: props.editedTitle }));

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

describe('MarkdownText: messages it will not parse', () => {
  it('shows a message nested too deep as typed, with a calm note', () => {
    expect(html('>'.repeat(7990))).toBe(
      `<div class="md md-plain" data-plain="too-nested"><p>${'&gt;'.repeat(7990)}</p>` +
        `<p class="md-plain-note" ${NOTE}>Shown as plain text: too deeply nested to format</p></div>`,
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
      `<div class="md md-plain" data-plain="too-nested"><p>${'&gt; '.repeat(20)}hi <span class="mention">@assistant</span>` +
        '\n\n    indented  &lt;b&gt;raw&lt;/b&gt;<span class="edited" title="Edited today"> (edited)</span>' +
        '<span class="cursor" aria-hidden="true" data-testid="stream-caret"></span></p>' +
        `<p class="md-plain-note" ${NOTE}>Shown as plain text: too deeply nested to format</p></div>`,
    );
  });

  it.each(Object.entries(PATHOLOGICAL))('renders "%s" without throwing, as text or with the note', (_name, text) => {
    const markup = renderToString(createElement(MessageText, { text }));
    if (planMarkdown(text) === 'format') expect(markup).not.toContain(NOTE);
    else expect(markup).toContain(`<p>${escaped(text)}</p><p class="md-plain-note" ${NOTE}>`);
  });
});

/** Markdown's building blocks, to repeat and mix: the shapes that make parsers work hard. */
const MARKDOWN_UNITS = [
  ...['>', '> ', '- ', '* ', '+ ', '1. ', '[^a]: ', '  ', '\t', '\n', '\n\n', '#', '=', '<div>', '<!--', ' '],
  ...['*', '**', '_', '~', '~~', '`', '```', '[', ']', '](', '![', '<', '|', '\\', '&', '@', 'a'],
  ...['*a', 'a*', '_a', '~a', '`a', '[a](', 'a\n=\n', 'http://a.b '],
];
const unit = fc.oneof(fc.constantFrom(...MARKDOWN_UNITS), fc.string({ minLength: 1, maxLength: 4 }));
const repeated = fc
  .tuple(unit, fc.integer({ min: 1, max: LIMITS.message }))
  .map(([piece, times]) => piece.repeat(times).slice(0, LIMITS.message));
const mixed = fc
  .array(fc.oneof(unit, repeated), { maxLength: 300 })
  .map((pieces) => pieces.join('').slice(0, LIMITS.message));
const anyMessage = fc.oneof(
  fc.string({ unit: 'binary', maxLength: LIMITS.message }),
  fc.string({ unit: 'grapheme', maxLength: 2000 }),
  repeated,
  mixed,
);

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
  let at = 0;
  for (const ch of haystack) if (ch === needle[at]) at++;
  return at === needle.length;
};

describe('MessageText on any input (fast-check)', () => {
  it('never throws: formats the text, or shows all of it as plain text with the note', () => {
    fc.assert(
      fc.property(anyMessage, (text) => {
        const markup = renderToString(createElement(MessageText, { text }));
        if (planMarkdown(text) === 'format') expect(markup.startsWith('<div class="md">')).toBe(true);
        else expect(markup).toContain(`<p>${escaped(text)}</p><p class="md-plain-note" ${NOTE}>`);
      }),
      { numRuns: 300 },
    );
  });

  // Markdown hides some characters by design, so these are left out: link destinations
  // and definitions ("(", ":"), entities ("&"), table cells past the header's count ("|"),
  // task-list checks ("x"), ordered-list numbers and a code fence's info string (fences
  // here are "```" alone on their line).
  const contentPieces = [
    ...['>', '> ', '- ', '* ', '+ ', '  ', '\n', '\n\n', '*', '**', '_', '~~', '`', '```\n', '[', ']', '![', '<', '#'],
    ...['\\', '@', '=', '-', 'a', 'b', '7', 'é', 'word', 'a@b.co', 'www.x.y', '@assistant', ' '],
  ];
  const contentPiece = fc.constantFrom(...contentPieces);
  const contentMessage = fc
    .array(
      fc.oneof(
        contentPiece,
        contentPiece.map((piece) => piece.repeat(40)),
      ),
      { maxLength: 100 },
    )
    .map((pieces) =>
      pieces
        .join('')
        .replace(/`{3,}(?!\n)/g, '``')
        .replace(/~{3,}/g, '~~')
        .slice(0, LIMITS.message),
    );

  it('formatted or not, every letter and digit of the text is shown, in order', () => {
    fc.assert(
      fc.property(contentMessage, (text) => {
        const markup = renderToString(createElement(MessageText, { text }));
        expect(isSubsequence(alphanumerics(text), alphanumerics(visibleText(markup)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
