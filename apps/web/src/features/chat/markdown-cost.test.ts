import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MarkdownText } from './markdown';
import { type MarkdownMeasure, measureMarkdown, planMarkdown } from './markdown-budget';
import { ordinaryLongMessage, PATHOLOGICAL } from './markdown-test-data';

/**
 * What each pathological message costs to render, with the budget and without
 * it: a measurement for people, not a check
 * of speed. It takes a minute, so it runs on request:
 *
 *   MARKDOWN_COST=1 npx vitest run --project web apps/web/src/features/chat/markdown-cost.test.ts
 */
const UNCHECKED: MarkdownMeasure = { blockDepth: Infinity, inlineDepth: Infinity, tokens: Infinity };

/** CPU milliseconds of the fastest of a few runs (CPU time: other work on the machine counts less). */
function cpuMs(run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
    if (best > 500) break;
  }
  return best;
}

const render = (text: string, budget?: MarkdownMeasure) =>
  renderToString(createElement(MarkdownText, { text, budget }));

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

describe.runIf(process.env.MARKDOWN_COST)('the cost of pathological Markdown (8,000 characters)', () => {
  it('everything the parser chokes on or is slow with is shown as plain text', () => {
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
      const plan = planMarkdown(text);
      const budgetMs = cpuMs(() => measureMarkdown(text));
      const checkedMs = cpuMs(() => render(text));
      let unchecked: string;
      try {
        unchecked = `${cpuMs(() => render(text, UNCHECKED)).toFixed(1)} ms`;
      } catch (error) {
        unchecked = error instanceof RangeError ? 'stack overflow' : String(error);
        expect(plan, `${name} breaks the parser`).not.toBe('format');
      }
      rows.push(
        `| ${name} | ${plan} | ${budgetMs.toFixed(2)} ms | ${checkedMs.toFixed(1)} ms | ${unchecked} | ${JSON.stringify(measureMarkdown(text))} |`,
      );
    }
    console.log(
      [
        '| input | plan | budget check | render | render without budget | measure |',
        '|---|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
    );
    expect(rows).toHaveLength(Object.keys(inputs).length);
  }, 600_000);
});
