import { describe, expect, it } from 'vitest';
import {
  appendAtEnd,
  closeOpenMarks,
  type HastNode,
  type HastParent,
  hastText,
  highlightMentions,
  safeUrl,
  tidyWhitespace,
} from './markdown-plugins';

const el = (tagName: string, ...children: HastNode[]): HastNode => ({
  type: 'element',
  tagName,
  properties: {},
  children,
});
const text = (value: string): HastNode => ({ type: 'text', value });
const root = (...children: HastNode[]): HastParent => ({ type: 'root', children });
/** A compact picture of a tree: tag(children) and "text". */
const show = (node: HastNode): string =>
  node.type === 'text'
    ? JSON.stringify(node.value)
    : `${node.tagName ?? node.type}(${(node.children ?? []).map(show).join(',')})`;

describe('safeUrl', () => {
  it('allows absolute http, https and mailto URLs', () => {
    for (const url of [
      'https://example.com/a?b=1#c',
      'http://localhost:3000',
      'HTTPS://EXAMPLE.COM',
      'mailto:bob@example.com',
    ]) {
      expect(safeUrl(url)).toBe(url);
    }
    expect(safeUrl('  https://example.com  ')).toBe('https://example.com');
  });

  it('refuses script, data and other schemes, relative URLs and tricks', () => {
    for (const url of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'javascript&colon;alert(1)',
      'vbscript:msgbox(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'ftp://example.com',
      '/admin',
      '#top',
      '//evil.example.com',
      'http://',
      '',
      null,
      undefined,
    ]) {
      expect(safeUrl(url), String(url)).toBeNull();
    }
  });
});

describe('tidyWhitespace', () => {
  it('drops newlines between blocks but keeps spaces between inline elements', () => {
    const tree = root(
      el(
        'ul',
        text('\n'),
        el('li', text('a')),
        text('\n'),
        el('li', text('b'), text('\n'), el('ul', el('li', text('c')))),
        text('\n'),
      ),
      text('\n'),
      el('p', el('strong', text('x')), text(' '), el('em', text('y'))),
    );
    tidyWhitespace(tree);
    expect(show(tree)).toBe('root(ul(li("a"),li("b",ul(li("c")))),p(strong("x")," ",em("y")))');
  });

  it('keeps a line break between inline elements of a list item', () => {
    const tree = root(el('ul', el('li', el('strong', text('a')), text('\n'), el('strong', text('b')))));
    tidyWhitespace(tree);
    expect(show(tree)).toBe('root(ul(li(strong("a"),"\\n",strong("b"))))');
  });

  it('leaves code blocks alone', () => {
    const tree = root(el('pre', el('code', text('\n'))));
    tidyWhitespace(tree);
    expect(hastText(tree)).toBe('\n');
  });
});

describe('appendAtEnd', () => {
  const mark = (): HastNode => el('span');

  it('goes into the last paragraph or list item', () => {
    const tree = root(el('p', text('one')), el('ul', el('li', text('a')), el('li', el('p', text('b')))));
    appendAtEnd(tree, [mark()]);
    expect(show(tree)).toBe('root(p("one"),ul(li("a"),li(p("b",span()))))');
  });

  it('stays outside code, links and tables', () => {
    for (const tag of ['pre', 'a', 'table']) {
      const tree = root(el('p', text('x'), el(tag, text('y'))));
      appendAtEnd(tree, [mark()]);
      expect(show(tree)).toBe(`root(p("x",${tag}("y"),span()))`);
    }
  });

  it('adds nothing when there is nothing to add, and works on an empty tree', () => {
    const tree = root(el('p', text('x')));
    appendAtEnd(tree, []);
    expect(show(tree)).toBe('root(p("x"))');
    const empty = root();
    appendAtEnd(empty, [mark()]);
    expect(show(empty)).toBe('root(span())');
  });
});

describe('closeOpenMarks', () => {
  it('closes inline code and bold left open at the end of a streaming reply', () => {
    expect(closeOpenMarks('Try `@assistant')).toBe('Try `@assistant`');
    expect(closeOpenMarks('- **Chat')).toBe('- **Chat**');
    expect(closeOpenMarks('a **b** and **c ')).toBe('a **b** and **c**');
    expect(closeOpenMarks('`a ** b` and **open')).toBe('`a ** b` and **open**');
  });

  it('leaves complete text, fresh marks and code blocks alone', () => {
    for (const text of ['done `x` and **y**.', 'Try `', 'Try **', '```js\nconst a = `x', 'a `x`\n\n**b**', '']) {
      expect(closeOpenMarks(text), text).toBe(text);
    }
    // Only the last paragraph counts: an earlier one was closed or is what it is.
    expect(closeOpenMarks('odd ` tick\n\nfine')).toBe('odd ` tick\n\nfine');
  });
});

describe('highlightMentions', () => {
  it('wraps @handles in text, not in code, links, addresses or words', () => {
    const tree = root(
      el('p', text('hey @assistant, and @Assistant!'), el('code', text('@assistant')), el('a', text('@assistant'))),
      el('p', text('me@assistant.dev @bob.smith, ask @ada. a@@b')),
    );
    highlightMentions(tree);
    expect(show(tree)).toBe(
      'root(p("hey ",span("@assistant"),", and ",span("@Assistant"),"!",code("@assistant"),a("@assistant")),' +
        'p("me@assistant.dev ",span("@bob.smith"),", ask ",span("@ada"),". a@@b"))',
    );
  });
});
