import { LIMITS } from '@hubbub/core';

/**
 * Messages that make a Markdown parser work hard, each as long as a message
 * may be (LIMITS.message, 8,000 characters). Shared by the budget's unit
 * tests, the cost measurement and the browser test.
 */

/** `unit` repeated to fill `length` characters (no partial unit). */
export const fill = (unit: string, length: number = LIMITS.message) => unit.repeat(Math.floor(length / unit.length));

/** Lines joined with "\n" until the next would go past `length`. */
function linesUpTo(line: (k: number) => string, length: number = LIMITS.message): string {
  const lines: string[] = [];
  let size = 0;
  for (let k = 0; ; k++) {
    const next = line(k);
    if (size + next.length + 1 > length) return lines.join('\n');
    lines.push(next);
    size += next.length + 1;
  }
}

/** Backtick runs of growing length (`a``a```a…): no two runs match, so none closes. */
function growingBacktickRuns(length: number = LIMITS.message): string {
  let text = '';
  for (let k = 1; text.length + k + 1 <= length; k++) text += `${'`'.repeat(k)}a`;
  return text;
}

/** A real conversation quoted `depth` levels deep, each level with some formatting. */
export function deeplyQuoted(depth: number): string {
  return Array.from(
    { length: depth },
    (_, k) => `${'> '.repeat(k + 1)}level ${k + 1}: **bold**, _soft_ and [a link](https://example.com/${k + 1})`,
  ).join('\n');
}

/** The pathological inputs, by the shape of trouble they cause. */
export const PATHOLOGICAL = {
  // Deep nesting: one parser frame per level, until the stack overflows.
  'block quotes (7,990 ">")': fill('>', 7990),
  'block quotes with spaces': fill('> '),
  'nested list by indentation': linesUpTo((k) => `${'  '.repeat(k)}- item ${k}`),
  'nested ordered lists on one line': fill('1. '),
  'quote and list markers': fill('> - '),
  'nested footnote definitions': fill('[^a]: '),
  'emphasis nested in emphasis': fill('*a ', 4000) + fill(' a*', 4000),
  'long emphasis runs': `${fill('*', 3999)}a${fill('*', 3999)}`,
  // Quadratic paths: each mark looks back over the ones before it.
  'brackets (8,000 "[")': fill('['),
  'closing brackets': fill(']'),
  'link openers': fill('[a]('),
  'emphasis marks (4,000 "*a")': fill('*a'),
  'intraword emphasis': fill('a*'),
  'strikethrough marks': fill('~a'),
  'setext headings': fill('a\n=\n'),
  // Many small elements.
  'backtick run': fill('`'),
  'code spans': fill('`a'),
  'growing backtick runs': growingBacktickRuns(),
  paragraphs: fill('a\n\n'),
  headings: fill('# a\n'),
  'list items': fill('- a\n'),
  'table rows': `|a|b|\n|-|-|\n${fill('|x|y|\n', LIMITS.message - 12)}`,
  'email addresses': fill('a@b.c '),
  // Real content, just too deep.
  'a conversation quoted 60 levels deep': deeplyQuoted(60),
} as const satisfies Record<string, string>;

/** Ordinary Markdown at full length: must stay formatted. */
export function ordinaryLongMessage(): string {
  const paragraph =
    'Here is **some** text with a [link](https://example.com), `code`, _emphasis_ and ~~strike~~. @assistant look.\n\n';
  const code = `\`\`\`ts\n${'const x = [1, 2, 3].map((a) => a * 2); // [*] <b> _x_\n'.repeat(40)}\`\`\`\n\n`;
  const table = `| a | b | c |\n|---|---|---|\n${'| *1* | **2** | `3` |\n'.repeat(30)}\n`;
  const lists = '- one\n  - two\n    - three\n\n> quote\n> > deeper\n\n';
  return (paragraph.repeat(10) + code + table + lists.repeat(10) + paragraph.repeat(30)).slice(0, LIMITS.message);
}
