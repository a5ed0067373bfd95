import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MessageBoundary } from './message-boundary';

// Node has no DOM to mount into and server rendering skips error boundaries, so the
// boundary's steps are driven directly, in the order React calls them.
const boundaryFor = (text: string) => new MessageBoundary({ text, children: createElement('b', null, 'formatted') });

describe('MessageBoundary', () => {
  it('shows the formatted message while formatting works', () => {
    expect(renderToStaticMarkup(boundaryFor('**hi**').render())).toBe('<b>formatted</b>');
  });

  it('after formatting throws, shows the raw text with a note', () => {
    const boundary = boundaryFor('> <b>deep</b>\n> text');
    boundary.state = { ...boundary.state, ...MessageBoundary.getDerivedStateFromError() };
    expect(renderToStaticMarkup(boundary.render())).toBe(
      '<div class="md md-plain" data-plain="failed"><p>&gt; &lt;b&gt;deep&lt;/b&gt;\n&gt; text</p>' +
        '<p class="md-plain-note" data-testid="plain-text-note">This message could not be formatted</p></div>',
    );
  });

  it('tries formatting again when the text changes, not before', () => {
    const failed = { text: 'one', failed: true };
    expect(MessageBoundary.getDerivedStateFromProps({ text: 'one', children: null }, failed)).toBeNull();
    expect(MessageBoundary.getDerivedStateFromProps({ text: 'one more', children: null }, failed)).toEqual({
      text: 'one more',
      failed: false,
    });
  });
});
