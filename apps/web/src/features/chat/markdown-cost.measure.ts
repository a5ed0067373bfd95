import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MarkdownPart, MarkdownText } from './markdown';
import { measureMarkdown, planMarkdown } from './markdown-budget';
import { type MessagePart, planMessage } from './markdown-plan';
import { closeOpenMarks } from './markdown-plugins';
import { fill, ordinaryLongMessage, ordinaryLongReply, PATHOLOGICAL } from './markdown-test-data';

/**
 * What Markdown costs to render: a measurement program for people, not a test
 * (`pnpm test` does not run it). It takes minutes and prints its tables:
 *
 *   npx -y pnpm@10.34.8 --filter @hubbub/web measure:markdown
 */

/** CPU milliseconds of the fastest of a few runs (CPU time: other work on the machine counts less). */
function cpuMs(run: () => void, runs = 3): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
    if (best > 500) break;
  }
  return best;
}

/** As rendered now: part by part, within the budgets. */
const render = (text: string) => renderToString(createElement(MarkdownText, { text }));

/**
 * How a message was rendered before it was split: one parse of all of it,
 * within the one-parse budget (else as plain text), or, `formatted`, regardless.
 */
function renderWhole(text: string, { streaming = false, formatted = false } = {}): string {
  const source = streaming ? closeOpenMarks(text) : text;
  const plan = formatted ? 'format' : planMarkdown(source);
  return renderToString(createElement(MarkdownPart, { text, source, plan, caret: streaming }));
}

/** "format ×3, too-complex" */
const partsSummary = (text: string) => {
  const counts = new Map<string, number>();
  for (const part of planMessage(text).parts) counts.set(part.plan, (counts.get(part.plan) ?? 0) + 1);
  return [...counts].map(([plan, n]) => (n > 1 ? `${plan} ×${n}` : plan)).join(', ');
};

/** `unit` repeated as often as the budget still formats: the most work it lets through in that shape. */
function atTheBudget(unit: string, head = ''): string {
  let [low, high] = [0, 8000];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (planMarkdown(head + unit.repeat(mid)) === 'format') low = mid;
    else high = mid - 1;
  }
  return head + unit.repeat(low);
}
const BUDGET_SHAPES: [string, string][] = [
  ['*a', ''],
  ['a*', ''],
  ['~a', ''],
  [']', ''],
  ['[a](', ''],
  ['a\n=\n', ''],
  ['- a\n', ''],
  ['a\n\n', ''],
  ['|x|y|\n', '|a|b|\n|-|-|\n'],
  ['a@b.c ', ''],
];

describe('the cost of Markdown', () => {
  it('everything the parser chokes on or is slow with is shown as plain text (8,000 characters)', () => {
    // Warm up the JIT, so the first row is not charged for it.
    for (let i = 0; i < 5; i++) render(ordinaryLongMessage());
    const rows: string[] = [];
    const inputs: Record<string, string> = {
      'ordinary formatting (reference)': ordinaryLongMessage(),
      ...PATHOLOGICAL,
    };
    for (const [unit, head] of BUDGET_SHAPES) {
      const text = atTheBudget(unit, head);
      inputs[`at the budget: ${JSON.stringify(unit)} x ${(text.length - head.length) / unit.length}`] = text;
    }
    for (const [name, text] of Object.entries(inputs)) {
      const planMs = cpuMs(() => planMessage(text));
      const renderMs = cpuMs(() => render(text));
      let unchecked: string;
      try {
        unchecked = `${cpuMs(() => renderWhole(text, { formatted: true })).toFixed(1)} ms`;
      } catch (error) {
        unchecked = error instanceof RangeError ? 'stack overflow' : String(error);
        expect(
          planMessage(text).parts.every((part) => part.plan !== 'format'),
          `${name} breaks the parser`,
        ).toBe(true);
      }
      rows.push(
        `| ${name} | ${partsSummary(text)} | ${planMs.toFixed(2)} ms | ${renderMs.toFixed(1)} ms | ${unchecked} | ${JSON.stringify(measureMarkdown(text))} |`,
      );
    }
    console.log(
      [
        '| input | parts | plan | render | one parse, no budget | measure (whole) |',
        '|---|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
    );
    expect(rows).toHaveLength(Object.keys(inputs).length);
  }, 600_000);

  it('a long ordinary reply: rendered whole or part by part, and while it streams', () => {
    const reply = ordinaryLongReply();
    for (let i = 0; i < 5; i++) render(reply);
    const rows = [
      `| one parse, within the one-parse budget (before) | ${cpuMs(() => renderWhole(reply)).toFixed(1)} ms | ${planMarkdown(reply)} |`,
      `| one parse, formatted | ${cpuMs(() => renderWhole(reply, { formatted: true })).toFixed(1)} ms | format |`,
      `| part by part (now) | ${cpuMs(() => render(reply)).toFixed(1)} ms | ${partsSummary(reply)} |`,
    ];

    // Streaming, 40 characters a delta (a fast model, coalesced every 30 ms). Before, every delta
    // parsed the whole reply again. Now MarkdownText plans the reply and React re-renders only the
    // parts whose props changed (MarkdownPart is memoized): the same work is done here by hand.
    const prefixes: string[] = [];
    for (let end = 40; end < reply.length + 40; end += 40) prefixes.push(reply.slice(0, end));
    const perDelta = (work: (text: string, i: number) => void) =>
      prefixes.map((text, i) => {
        const start = process.cpuUsage();
        work(text, i);
        const used = process.cpuUsage(start);
        return (used.user + used.system) / 1000;
      });
    const before = perDelta((text) => renderWhole(text, { streaming: true }));
    const beforeFormatted = perDelta((text) => renderWhole(text, { streaming: true, formatted: true }));
    let previous: { parts: MessagePart[]; endsAt: number } = { parts: [], endsAt: -1 };
    const now = perDelta((text) => {
      const plan = planMessage(text, { streaming: true });
      plan.parts.forEach((part, i) => {
        const old = previous.parts[i];
        const same = old?.source === part.source && old.plan === part.plan && old.text === part.text;
        if (same && (i === plan.endsAt) === (i === previous.endsAt)) return;
        renderToString(createElement(MarkdownPart, { ...part, caret: i === plan.endsAt }));
      });
      previous = plan;
    });
    const sum = (ms: number[]) => ms.reduce((a, b) => a + b, 0);
    const last = (ms: number[]) => ms.slice(-20).reduce((a, b) => a + b, 0) / 20;
    const stream = (name: string, ms: number[]) =>
      `| ${name} | ${sum(ms).toFixed(0)} ms | ${last(ms).toFixed(1)} ms | ${Math.max(...ms).toFixed(1)} ms |`;
    console.log(
      [
        `A ${reply.length}-character reply (${JSON.stringify(measureMarkdown(reply))}):`,
        '| render | CPU | plan |',
        '|---|---|---|',
        ...rows,
        '',
        `Streamed in ${prefixes.length} deltas of 40 characters:`,
        '| per delta | all deltas | a delta at the end (mean of the last 20) | slowest delta |',
        '|---|---|---|---|',
        stream('one parse of the whole reply, within the one-parse budget (before)', before),
        stream('one parse of the whole reply, formatted', beforeFormatted),
        stream('plan, then only the parts that changed (now)', now),
      ].join('\n'),
    );
    expect(planMessage(reply).parts.every((part) => part.plan === 'format')).toBe(true);
  }, 600_000);

  it('what the total budget bounds: huge messages of many small blocks', () => {
    for (let i = 0; i < 5; i++) render(ordinaryLongReply());
    const worstBlock = atTheBudget('*a');
    const inputs: Record<string, string> = {
      'an ordinary reply of 50,000 characters': ordinaryLongReply(50_000),
      'an ordinary reply of 100,000 characters': ordinaryLongReply(100_000),
      'an ordinary reply of 200,000 characters': ordinaryLongReply(200_000),
      '2,000 setext headings, one block each': fill('a\n=\n\n', 10_000),
      '20,000 paragraphs': fill('a\n\n', 60_000),
      '50 blocks at the block budget ("*a")': Array.from({ length: 50 }, () => worstBlock).join('\n\n'),
      'a 1,000,000-character paragraph': fill('word ', 1_000_000),
    };
    const rows: string[] = [];
    for (const [name, text] of Object.entries(inputs)) {
      const { parts } = planMessage(text);
      const formatted = parts.filter((part) => part.plan === 'format').reduce((n, part) => n + part.text.length, 0);
      rows.push(
        `| ${name} | ${text.length} | ${partsSummary(text)} | ${formatted} | ${cpuMs(() => planMessage(text)).toFixed(1)} ms | ${cpuMs(() => render(text), 2).toFixed(0)} ms |`,
      );
    }
    console.log(
      [
        '| input | characters | parts | characters formatted | plan | render |',
        '|---|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
    );
    expect(rows).toHaveLength(Object.keys(inputs).length);
  }, 900_000);
});
