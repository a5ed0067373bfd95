import { isValidElement, type ReactElement } from 'react';
import { describe, expect, it } from 'vitest';
import { formatMessage } from './message-text';

/** Flattens the formatted nodes to "<tag>text</tag>" strings for easy comparison. */
const show = (text: string) =>
  formatMessage(text).map((node) => {
    if (!isValidElement(node)) return node;
    const el = node as ReactElement<{ children: string }>;
    return `<${el.type}>${el.props.children}</${el.type}>`;
  });

describe('formatMessage', () => {
  it('turns links, code, bold and italic into elements and leaves the rest as text', () => {
    expect(show('see https://example.com/a, then run `pnpm dev` **now** or _later_.')).toEqual([
      'see ',
      '<a>https://example.com/a</a>',
      ', then run ',
      '<code>pnpm dev</code>',
      ' ',
      '<strong>now</strong>',
      ' or ',
      '<em>later</em>',
      '.',
    ]);
  });

  it('keeps snake_case words and lone markers as plain text', () => {
    expect(show('a snake_case_name costs 2*3*4 and <b>x</b>')).toEqual(['a snake_case_name costs 2*3*4 and <b>x</b>']);
  });
});
