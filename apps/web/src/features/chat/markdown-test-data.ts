import { LIMITS } from '@hubbub/core';

/**
 * Messages that make a Markdown parser work hard, each as long as a message
 * may be (LIMITS.message, 8,000 characters), and ordinary ones, up to replies
 * far longer, that must stay formatted. Shared by the budget's and the plan's
 * unit tests, the cost measurement and the browser test.
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

/** One section of a long answer as a chat model writes it: headings, a loose numbered list with code, a table. */
function replySection(k: number): string {
  return [
    `## ${k}. Configure the ${['cache', 'queue', 'database', 'gateway'][k % 4]}`,
    `Before you start, make sure **Node 22** is installed and \`pnpm\` is on your \`PATH\`. The [official guide](https://example.com/docs/${k}) covers the details; here is the short version, step by step.`,
    '1. **Install the dependencies.** Run the installer from the repository root:',
    '   ```bash\n   pnpm install --frozen-lockfile\n   ```',
    '2. **Set the environment.** Copy `.env.example` to `.env` and fill in:\n   - `DATABASE_URL`: the connection string\n   - `REDIS_URL`: optional, for the _shared_ cache',
    `3. **Start it** with \`pnpm dev\` and open http://localhost:${3000 + k}.`,
    `\`\`\`ts\nexport async function retry${k}<T>(run: () => Promise<T>, attempts = 3): Promise<T> {\n  for (let i = 1; ; i++) {\n    try {\n      return await run();\n    } catch (error) {\n      if (i >= attempts) throw error;\n    }\n  }\n}\n\`\`\``,
    '| Option | Default | Meaning |\n|---|---|---|\n| `timeout` | `30s` | How long a request may take |\n| `retries` | `3` | Attempts before giving up |\n| `verbose` | **off** | Log every request |',
    '> **Note:** the defaults suit development; in production, _raise_ the timeout. Ask @assistant if unsure.',
  ].join('\n\n');
}

/**
 * A long, ordinary reply from a chat model (about `length` characters, whole
 * sections): far past a user message's limit, and all of it should be formatted.
 */
export function ordinaryLongReply(length = 20_000): string {
  let reply = 'Here is a complete walkthrough. Each part builds on the one before.';
  for (let k = 1; ; k++) {
    const next = `${reply}\n\n${replySection(k)}`;
    if (next.length > length) break;
    reply = next;
  }
  const closing = fill('That is all it takes: **run it**, check the `logs`, and adjust. ', length - reply.length - 2);
  return closing ? `${reply}\n\n${closing.trimEnd()}` : reply;
}

/**
 * A user's message at full length, dense with ordinary formatting (options
 * in lists and tables, every item formatted): more tokens than one parse
 * within the block budget may take, so before messages were formatted block
 * by block it showed as plain text.
 */
export function denseOrdinaryMessage(length: number = LIMITS.message): string {
  const section = (k: number) =>
    [
      `### Option ${k}`,
      `- \`--flag-${k}\`: **enables** the _${k}th_ feature; see [the docs](https://example.com/${k})\n- \`--no-flag-${k}\`: turns it **off**`,
      `| Name | Type | Default |\n|---|---|---|\n| \`a${k}\` | *string* | \`"x"\` |\n| \`b${k}\` | *number* | \`${k}\` |`,
    ].join('\n\n');
  let text = '';
  for (let k = 1; ; k++) {
    const next = text ? `${text}\n\n${section(k)}` : section(k);
    if (next.length > length) return text;
    text = next;
  }
}
