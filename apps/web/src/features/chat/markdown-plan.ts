import { listItems, renumbered, splitBlocks, type TextBlock } from './markdown-blocks';
import {
  judgeMeasure,
  MARKDOWN_BUDGET,
  type MarkdownMeasure,
  type MarkdownPlan,
  measureMarkdown,
} from './markdown-budget';
import { type Definition, leadingDefinitions, MessageDefinitions } from './markdown-definitions';
import { closeOpenMarks } from './markdown-plugins';

/**
 * How a message is formatted: as a sequence of parts, each parsed and
 * rendered on its own. A part is one top-level block (markdown-blocks.ts) or
 * a run of small ones, and is planned against the parser's budget on its own:
 * a pathological block shows as plain text alone, a long reply stays
 * formatted however long it is, and while a reply streams only its last part
 * changes, so only that part is parsed again.
 */

export interface MessageBudget {
  /** What one block may cost the parser: nesting and tokens (markdown-budget.ts). */
  block: MarkdownMeasure;
  /**
   * Small blocks share a parse up to this cost (a parse of its own per block
   * would cost more than most blocks do); it also bounds what a streaming
   * reply parses again per delta, unless its last block alone is bigger.
   */
  part: number;
  /**
   * What formatting a whole message may cost, past which the rest of it is
   * plain text: `perCharacter` of its length, within `min` and `max`.
   */
  total: { perCharacter: number; min: number; max: number };
}

/**
 * Costs are in tokens (markdown-budget.ts), plus a parse's fixed cost per part
 * and a token per 16 characters: a 100,000-character paragraph is two tokens
 * but takes the parser longer than a thousand. Measured in markdown-cost.measure.ts.
 */
const COST_PER_PART = 10;
const CHARACTERS_PER_TOKEN = 16;

/**
 * Ordinary formatting costs about a fifth of a token per character (an
 * 8,000-character message dense with it about 1,730, a 20,000-character reply
 * about 3,350); a table with every cell formatted, up to about a half. A
 * quarter per character keeps an ordinary reply formatted however long (a
 * dense table's tail turns plain). At least 2,500: a short message that one
 * parse within the block budget would format still is — and a person's
 * message (8,000 characters at most) never costs more than that, so a channel
 * full of crafted messages opens as fast as before. At most 25,000, reached
 * at 100,000 characters: the worst a message can do is one to two seconds of
 * parsing on a slow, busy machine (markdown-cost.measure.ts).
 */
export const MESSAGE_BUDGET: MessageBudget = {
  block: MARKDOWN_BUDGET,
  part: 300,
  total: { perCharacter: 1 / 4, min: 2500, max: 25_000 },
};

/** What formatting a message of `length` characters may cost in all. */
export const totalBudget = ({ total }: MessageBudget, length: number) =>
  Math.min(total.max, Math.max(total.min, Math.ceil(length * total.perCharacter)));

/** `too-long`: the message spent its total budget before this part; this part is the rest of it, as plain text. */
export type PartPlan = MarkdownPlan | 'too-long';

export interface MessagePart {
  /** The part as written: what shows when it is plain text. */
  text: string;
  /** What the parser gets: the text, with its list numbering, marks closed and the definitions it refers to. */
  source: string;
  plan: PartPlan;
}

export interface MessagePlan {
  parts: MessagePart[];
  /** The part the end marks (caret, "(edited)") go in: the last that shows anything. */
  endsAt: number;
}

interface PlanOptions {
  /** A reply being written: its last block may have marks to close (see closeOpenMarks). */
  streaming?: boolean;
  budget?: MessageBudget;
}

/** A block (or a piece of an oversized one), ready to be planned. */
interface Piece {
  block: TextBlock;
  source: string;
  measure: MarkdownMeasure;
  plan: MarkdownPlan;
  definitions: Definition[];
  /** Holds definitions and nothing else, so it renders nothing. */
  definitionsOnly: boolean;
}

const FOOTNOTE_DEFINITION = /^ {0,3}\[\^[^\]\r\n]+\]:/m;

/** What formatting `measure` of `characters` characters costs, part included. */
export const formattingCost = (measure: MarkdownMeasure, characters: number) =>
  COST_PER_PART + measure.tokens + Math.ceil(characters / CHARACTERS_PER_TOKEN);

/** Splits a message into parts and plans each against the budget. */
export function planMessage(
  text: string,
  { streaming = false, budget = MESSAGE_BUDGET }: PlanOptions = {},
): MessagePlan {
  const whole = wholeWithFootnotes(text, streaming, budget);
  if (whole) return whole;

  const pieces = piecesOf(text, streaming, budget);
  const definitions = new MessageDefinitions();
  for (const [i, piece] of pieces.entries()) definitions.add(i, piece.definitions);

  const parts: MessagePart[] = [];
  let endsAt = -1;
  const total = totalBudget(budget, text.length);
  let spent = 0;
  for (const [first, last] of runs(pieces, budget.part)) {
    const from = pieces[first];
    const to = pieces[last];
    if (!from || !to) continue;
    // The run as written, its first item renumbered and its last block's marks closed. Ahead of
    // it, the definitions it refers to from elsewhere: they render nothing, and cannot land
    // inside an open code block or raw HTML there.
    let source =
      first === last
        ? to.source
        : renumbered({ ...from.block, text: text.slice(from.block.start, to.block.start) }) + to.source;
    const needed = from.plan === 'format' ? definitions.neededBy(source, first, last) : [];
    if (needed.length > 0) source = `${needed.join('\n\n')}\n\n${source}`;
    // Measured as it will be parsed: the budget's bounds hold for exactly that text.
    const measure = source === to.source ? to.measure : measureMarkdown(source);
    const plan = judgeMeasure(measure, budget.block);

    spent += plan === 'format' ? formattingCost(measure, source.length) : COST_PER_PART;
    if (spent > total) {
      const rest = text.slice(from.block.start);
      parts.push({ text: rest, source: rest, plan: 'too-long' });
      return { parts, endsAt: parts.length - 1 };
    }
    parts.push({ text: text.slice(from.block.start, to.block.end), source, plan });
    if (pieces.slice(first, last + 1).some((piece) => !piece.definitionsOnly)) endsAt = parts.length - 1;
  }
  return { parts, endsAt: endsAt === -1 ? parts.length - 1 : endsAt };
}

/**
 * Footnotes are numbered, and listed once at the end of what is parsed: a
 * message with footnotes is parsed whole when one parse may take it.
 */
function wholeWithFootnotes(text: string, streaming: boolean, budget: MessageBudget): MessagePlan | null {
  if (!FOOTNOTE_DEFINITION.test(text)) return null;
  const source = streaming ? closeOpenMarks(text) : text;
  const measure = measureMarkdown(source);
  if (judgeMeasure(measure, budget.block) !== 'format') return null;
  if (formattingCost(measure, source.length) > totalBudget(budget, text.length)) return null;
  return { parts: [{ text, source, plan: 'format' }], endsAt: 0 };
}

/** The message's blocks, oversized lists cut between their items, each measured and planned. */
function piecesOf(text: string, streaming: boolean, budget: MessageBudget): Piece[] {
  const blocks = splitBlocks(text);
  // Only blank lines: one (empty) block still carries the end marks.
  if (blocks.length === 0) blocks.push({ text, start: 0, end: text.length });
  const total = totalBudget(budget, text.length);
  const cut = blocks.flatMap((block) => cutOversized(block, budget.block, total));
  return cut.map(({ block, measure: measured }, i) => {
    let source = renumbered(block);
    if (streaming && i === cut.length - 1) source = closeOpenMarks(source);
    const measure = measured && source === block.text ? measured : measureMarkdown(source);
    const { definitions, only } = leadingDefinitions(block.text);
    return { block, source, measure, plan: judgeMeasure(measure, budget.block), definitions, definitionsOnly: only };
  });
}

/**
 * A block over the token budget, cut between its top-level list items into
 * as few pieces as fit (a long list of rich items is the usual reason a block
 * grows that big). Anything else stays whole, to be shown as plain text; so
 * do the items past what the message's `total` budget could format.
 */
function cutOversized(
  block: TextBlock,
  budget: MarkdownMeasure,
  total: number,
): { block: TextBlock; measure?: MarkdownMeasure }[] {
  const measure = measureMarkdown(block.text);
  if (measure.tokens <= budget.tokens) return [{ block, measure }];
  const items = listItems(block);
  if (items.length < 2) return [{ block, measure }];

  const pieces: { block: TextBlock }[] = [];
  let group: TextBlock[] = [];
  let tokens = 0;
  const flush = () => {
    const first = group[0];
    const last = group.at(-1);
    if (!first || !last) return;
    const text = block.text.slice(first.start - block.start, last.end - block.start);
    pieces.push({ block: { text, start: first.start, end: last.end, continues: first.continues } });
    group = [];
    tokens = 0;
  };
  let spent = 0;
  for (const [i, item] of items.entries()) {
    if (spent > total) {
      flush();
      group = items.slice(i);
      break;
    }
    // Tokens add up line by line, so the items' sum is (about) the piece's.
    const itemTokens = measureMarkdown(item.text).tokens;
    if (group.length > 0 && tokens + itemTokens > budget.tokens) flush();
    group.push(item);
    tokens += itemTokens;
    spent += itemTokens;
  }
  flush();
  return pieces;
}

/**
 * The pieces as runs parsed together, [first, last]: consecutive formatted
 * pieces while their cost stays within `part`; anything else on its own.
 */
function runs(pieces: Piece[], part: number): [number, number][] {
  const found: [number, number][] = [];
  let run: { start: number; cost: number } | null = null;
  for (const [i, piece] of pieces.entries()) {
    const cost =
      piece.plan === 'format' ? formattingCost(piece.measure, piece.source.length) - COST_PER_PART : Infinity;
    if (run && run.cost + cost <= part) {
      run.cost += cost;
      continue;
    }
    if (run) found.push([run.start, i - 1]);
    run = piece.plan === 'format' ? { start: i, cost } : null;
    if (!run) found.push([i, i]);
  }
  if (run) found.push([run.start, pieces.length - 1]);
  return found;
}
