import { describe, expect, it } from 'vitest';
import { leadingDefinitions, MessageDefinitions, normalizeLabel, referencedLabels } from './markdown-definitions';

describe('leadingDefinitions', () => {
  it('finds the link reference definitions a block starts with', () => {
    const block = '[docs]: https://docs.example.com\n[API  Guide]: <https://a.example/x y> "The API"\nText after';
    expect(leadingDefinitions(block)).toEqual({
      definitions: [
        { label: 'DOCS', text: '[docs]: https://docs.example.com' },
        { label: 'API GUIDE', text: '[API  Guide]: <https://a.example/x y> "The API"' },
      ],
      only: false,
    });
    expect(leadingDefinitions('[a]: https://a.example\n[b]: https://b.example (title)').only).toBe(true);
  });

  it('takes a footnote with its indented and lazy lines, up to the next definition', () => {
    const block = '[^1]: The first note,\ngoing on.\n\n    A second paragraph.\n[^Two]: Another.';
    expect(leadingDefinitions(block)).toEqual({
      definitions: [
        { label: '^1', text: '[^1]: The first note,\ngoing on.\n\n    A second paragraph.' },
        { label: '^TWO', text: '[^Two]: Another.' },
      ],
      only: true,
    });
    // A list after it is its own: no part of the note.
    expect(leadingDefinitions('[^1]: note\n- item')).toEqual({
      definitions: [{ label: '^1', text: '[^1]: note' }],
      only: false,
    });
  });

  it('finds nothing where a block does not start with a definition, or it is not one', () => {
    expect(leadingDefinitions('Text\n[a]: https://a.example').definitions).toEqual([]);
    // Unbalanced parentheses, a title that is not quoted, an empty label: text, not definitions.
    expect(leadingDefinitions('[a]: https://a.example/b)').definitions).toEqual([]);
    expect(leadingDefinitions('[a]: https://a.example title').definitions).toEqual([]);
    expect(leadingDefinitions('[ ]: https://a.example').definitions).toEqual([]);
    expect(leadingDefinitions('[a]: https://a.example/(b)').definitions).toHaveLength(1);
  });
});

describe('labels', () => {
  it('match regardless of case and runs of whitespace', () => {
    expect(normalizeLabel('  The \n API\tguide ')).toBe('THE API GUIDE');
  });

  it('are found in every bracketed text a block may refer by', () => {
    expect(referencedLabels('see [the docs][Docs], [API guide] and this[^1]; [a [b] c]')).toEqual(
      new Set(['THE DOCS', 'DOCS', 'API GUIDE', '^1', 'B']),
    );
  });
});

describe('MessageDefinitions', () => {
  const definitions = new MessageDefinitions();
  definitions.add(0, [{ label: 'A', text: '[a]: https://a.example' }]);
  definitions.add(3, [
    { label: '^1', text: '[^1]: see [b]' },
    { label: 'B', text: '[b]: https://b.example' },
    { label: 'A', text: '[a]: https://second.example' },
  ]);

  it('gives a block the definitions from other blocks it refers to, and those they refer to', () => {
    expect(definitions.neededBy('[a] and [^1] and [unknown]', 1)).toEqual([
      '[a]: https://a.example',
      '[^1]: see [b]',
      '[b]: https://b.example',
    ]);
    expect(definitions.neededBy('no references', 1)).toEqual([]);
  });

  it('leaves out the definitions the blocks hold themselves', () => {
    expect(definitions.neededBy('[a] [b]', 0)).toEqual(['[b]: https://b.example']);
    expect(definitions.neededBy('[a] [b]', 0, 3)).toEqual([]);
  });

  it('copies at most 8,000 characters of definitions into one block', () => {
    const many = new MessageDefinitions();
    many.add(
      0,
      Array.from({ length: 100 }, (_, k) => ({
        label: `L${k}`,
        text: `[l${k}]: https://example.com/${'x'.repeat(100)}`,
      })),
    );
    const refs = Array.from({ length: 100 }, (_, k) => `[l${k}]`).join(' ');
    const copied = many.neededBy(refs, 1);
    expect(copied.length).toBeGreaterThan(50);
    expect(copied.join('').length).toBeLessThanOrEqual(8000);
  });
});
