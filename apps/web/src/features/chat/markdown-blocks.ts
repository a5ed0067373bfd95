import { closesFence, fenceOpening, HTML_ENDS_AT_BLANK, htmlBlockEnd } from './markdown-budget';

/**
 * A message as a sequence of top-level Markdown blocks, found in one pass over
 * its lines without parsing it. Each block parses on its own to what the whole
 * message gives there, so blocks can be planned and rendered one by one.
 *
 * A block ends at a blank line, unless the next line carries a container on
 * (a list's next item or an indented continuation, more indented code); and
 * around a fenced code block or an ATX heading at the left margin, which
 * interrupt anything but code and raw HTML. A fenced code block or raw HTML
 * block stays one block across blank lines. When unsure, lines stay together:
 * a bigger block costs only its budget.
 */

export interface TextBlock {
  /** The block as written, from the start of its first line to the end of its last (blank lines around it left out). */
  text: string;
  start: number;
  end: number;
  /** An ordered list item cut from the items before it: the number it stands for in its list. */
  continues?: number;
}

interface Line {
  text: string;
  start: number;
  end: number;
}

/** The lines of `text`, each with where it starts and ends (before its line break). */
export function linesOf(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (;;) {
    let end = start;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
    lines.push({ text: text.slice(start, end), start, end });
    if (end >= text.length) return lines;
    start = end + (text[end] === '\r' && text[end + 1] === '\n' ? 2 : 1);
  }
}

const BLANK = /^[ \t]*$/;
const ATX_HEADING = /^#{1,6}(?:[ \t]|$)/;
/** A list item's marker, up to three spaces in (deeper is code or a nested item). */
const LIST_ITEM = /^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
const FOOTNOTE_START = /^ {0,3}\[\^[^\]]+\]:/;
const TABLE_DELIMITER_ROW = /^ {0,3}(?=[^|]*\|)\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

/** Columns of leading whitespace (a tab goes to the next multiple of four). */
export function indentation(line: string): number {
  let columns = 0;
  for (const ch of line) {
    if (ch === ' ') columns += 1;
    else if (ch === '\t') columns += 4 - (columns % 4);
    else break;
  }
  return columns;
}

const isListItem = (line: string) => LIST_ITEM.test(line) && !THEMATIC_BREAK.test(line);
const ITEM_PARTS = /^( {0,3})([-+*]|\d{1,9}[.)])(?=[ \t]|$)([ \t]*)(.*)$/;

/**
 * A list item starting on `line`: the column its content starts at (what its
 * lines must be indented by) and what follows the marker.
 */
function listItemAt(line: string): { content: number; body: string } | null {
  const parts = ITEM_PARTS.exec(line);
  if (!parts || THEMATIC_BREAK.test(line)) return null;
  const markerEnd = (parts[1] ?? '').length + (parts[2] ?? '').length;
  const spaces = indentation(' '.repeat(markerEnd) + (parts[3] ?? '')) - markerEnd;
  const body = parts[4] ?? '';
  // An empty item, or one starting with indented code, has its content one column past the marker.
  return { content: markerEnd + (body === '' || spaces > 4 ? 1 : spaces), body };
}

/** What the lines of the block so far say about the next one. */
interface BlockState {
  /**
   * A list item started in the block (indented lines and more items belong to
   * it): where the outermost item's content starts, else 0.
   */
  listContent: number;
  /** The block ends in indented code. */
  inCode: boolean;
  /** The last line was a rule or a heading's underline, or a table is open: no paragraph goes on, so indented code may start. */
  afterRule: boolean;
  inTable: boolean;
  /** A fenced code block open in a list item. */
  itemFence: Fence | null;
}

type Fence = { char: string; length: number };

/**
 * After a blank line, whether `line` still belongs to the block above: code
 * indented four columns, or in a list an indented line (more of an item) or
 * the next item (a loose list stays one list). After indented code anything
 * stays: the parser reads what follows as interrupting the code, and then,
 * say, a list item not numbered 1 is plain text.
 */
function continuesAfterBlank(line: string, { listContent, inCode }: BlockState): boolean {
  const indent = indentation(line);
  // A definition after code starts a block, where it can be found (markdown-definitions.ts).
  return indent >= 4 || (inCode && !/^ {0,3}\[/.test(line)) || (listContent > 0 && (indent > 0 || isListItem(line)));
}

/** Tags that start raw HTML anywhere, up to a blank line (CommonMark's HTML blocks of kind 6). */
const HTML_BLOCK_TAG = String.raw`</?(?:${[
  'address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt',
  'fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu',
  'menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr',
  'track|ul',
].join('|')})(?:[ \t>]|/>|$)`;
const HTML_BLOCK_START = new RegExp(`^ {0,3}${HTML_BLOCK_TAG}`, 'i');
/** A quote or raw HTML (of the kinds that may), which end a paragraph and a list item it goes on lazily. */
const INTERRUPTS_TEXT = new RegExp(
  String.raw`^(?:>|<(?:!--|\?|![A-Za-z]|!\[CDATA\[|(?:pre|script|style|textarea)(?:[ \t>]|$))|${HTML_BLOCK_TAG})`,
  'i',
);
/** A whole tag alone on its line: raw HTML up to a blank line, where a block starts (kind 7). */
const HTML_TAG_LINE =
  /^ {0,3}(?:<[A-Za-z][A-Za-z0-9-]*(?:[ \t]+[A-Za-z_:][\w.:-]*(?:[ \t]*=[ \t]*(?:[^ \t"'=<>`]+|'[^']*'|"[^"]*"))?)*[ \t]*\/?>|<\/[A-Za-z][A-Za-z0-9-]*[ \t]*>)[ \t]*$/;

/**
 * How raw HTML starting on `line` ends, if it does start there. Exact here, where
 * the budget may guess: taking text for HTML would hide a code fence after it.
 */
function rawHtmlEnd(line: string, blockStart: boolean): RegExp | null {
  const end = htmlBlockEnd(line);
  if (end !== HTML_ENDS_AT_BLANK) return end;
  return HTML_BLOCK_START.test(line) || (blockStart && HTML_TAG_LINE.test(line)) ? HTML_ENDS_AT_BLANK : null;
}

/** Splits `text` into its top-level blocks, in order. */
export function splitBlocks(text: string): TextBlock[] {
  const blocks: TextBlock[] = [];
  let block: { start: number; end: number } | null = null;
  let state: BlockState = { listContent: 0, inCode: false, afterRule: false, inTable: false, itemFence: null };
  let blankBefore = false;
  let fence: Fence | null = null;
  let html: RegExp | null = null;

  const add = (line: Line) => {
    block ??= { start: line.start, end: line.end };
    block.end = line.end;
  };
  const close = () => {
    if (block) blocks.push({ text: text.slice(block.start, block.end), start: block.start, end: block.end });
    block = null;
    state = { listContent: 0, inCode: false, afterRule: false, inTable: false, itemFence: null };
    blankBefore = false;
  };

  for (const line of linesOf(text)) {
    if (fence) {
      add(line);
      if (closesFence(line.text, fence)) {
        fence = null;
        close();
      }
      continue;
    }
    // Raw HTML: nothing in it counts until its end (a blank line, "-->", "</pre>"…).
    const blank = BLANK.test(line.text);
    if (html && !(blank && html === HTML_ENDS_AT_BLANK)) {
      add(line);
      if (html.test(line.text)) html = null;
      continue;
    }
    html = null;
    if (blank) {
      blankBefore = block !== null;
      continue;
    }
    if (blankBefore && !continuesAfterBlank(line.text, state)) close();
    const indent = indentation(line.text);
    const blockStart = block === null;
    if (state.itemFence) {
      if (indent >= state.listContent) {
        // Code in a list item: nothing in it counts until its fence closes.
        add(line);
        if (closesFence(line.text.trimStart(), state.itemFence)) state.itemFence = null;
        blankBefore = false;
        continue;
      }
      // A line not indented for the item ends it and its code (code does not go on lazily, as text does).
      state.itemFence = null;
      state.listContent = 0;
    }
    if (state.listContent > 0 && indent < state.listContent && !isListItem(line.text)) {
      // Not indented enough for the list: after a blank line it ends it, and so do a rule, a quote or HTML.
      if (blankBefore || (indent === 0 && (THEMATIC_BREAK.test(line.text) || INTERRUPTS_TEXT.test(line.text)))) {
        state.listContent = 0;
      }
    }
    const startsCode =
      indent >= 4 &&
      state.listContent === 0 &&
      (blockStart || blankBefore || state.inCode || state.afterRule || state.inTable);
    blankBefore = false;

    // In a list, a fence or HTML indented as far as the items' content belongs to an item.
    const topLevel = indent <= 3 && (state.listContent === 0 || indent < state.listContent);
    const opened = topLevel ? fenceOpening(line.text.slice(indent)) : null;
    if (opened) {
      close();
      add(line);
      fence = opened;
      continue;
    }
    if (ATX_HEADING.test(line.text)) {
      close();
      add(line);
      close();
      continue;
    }
    add(line);
    const item = listItemAt(line.text);
    if (item && (state.listContent === 0 || indent < state.listContent)) state.listContent = item.content;
    // A footnote holds what is indented four columns under it, as a list item does.
    if (state.listContent === 0 && FOOTNOTE_START.test(line.text)) state.listContent = 4;
    if (state.listContent > 0 && (item || (!topLevel && indent < state.listContent + 4))) {
      state.itemFence = fenceOpening(item ? item.body : line.text.slice(indent));
    }
    state.inCode = startsCode;
    state.afterRule = THEMATIC_BREAK.test(line.text) || SETEXT_UNDERLINE.test(line.text);
    state.inTable ||= TABLE_DELIMITER_ROW.test(line.text);
    if (topLevel) html = rawHtmlEnd(line.text, blockStart);
  }
  close();
  return blocks;
}

/** A list marker at the left margin: bullet, or number and delimiter. */
const MARGIN_ITEM = /^(?:([-+*])|(\d{1,9})([.)]))(?=[ \t]|$)/;

/**
 * The block cut before each of its top-level list items (the left-margin
 * ones), for a block too big to parse whole. Lines before the first item
 * stay a piece of their own. Each piece still parses as its part of the list:
 * an ordered item cut from the items before it says which number it stands
 * for, since a list numbers on from its first item's number.
 */
export function listItems(block: TextBlock): TextBlock[] {
  const lines = linesOf(block.text);
  const cuts: { line: number; continues?: number }[] = [];
  // The list the last item belongs to: its kind of marker, first number and items so far.
  let list = null as { kind: string; start: number; count: number } | null;
  let blankBefore = true;
  for (const [i, line] of lines.entries()) {
    if (BLANK.test(line.text)) {
      blankBefore = true;
      continue;
    }
    const marker = MARGIN_ITEM.exec(line.text);
    if (marker && !THEMATIC_BREAK.test(line.text)) {
      const number = marker[2] === undefined ? null : Number(marker[2]);
      const hasContent = line.text.slice(marker[0].length).trim() !== '';
      // After a paragraph line, only a bullet or "1." with content starts a list; in a list every marker does.
      if (list || blankBefore || (hasContent && (number === null || number === 1))) {
        const kind = marker[1] ?? marker[3] ?? '';
        if (list?.kind === kind) {
          list.count += 1;
          cuts.push({ line: i, continues: number === null ? undefined : list.start + list.count - 1 });
        } else {
          list = { kind, start: number ?? 1, count: 1 };
          cuts.push({ line: i });
        }
      }
    } else if (indentation(line.text) === 0 && (line.text.startsWith('>') || THEMATIC_BREAK.test(line.text))) {
      list = null;
    }
    blankBefore = false;
  }

  if (cuts[0]?.line !== 0) cuts.unshift({ line: 0 });
  return cuts.map((cut, k) => {
    const next = cuts[k + 1]?.line ?? lines.length;
    let last = next - 1;
    while (last > cut.line && BLANK.test(lines[last]?.text ?? '')) last--;
    const start = block.start + (lines[cut.line]?.start ?? 0);
    const end = block.start + (lines[last]?.end ?? 0);
    const piece: TextBlock = { text: block.text.slice(start - block.start, end - block.start), start, end };
    if (cut.continues !== undefined && cut.continues <= 999_999_999) piece.continues = cut.continues;
    return piece;
  });
}

/** The block's text with its first item carrying the number it stands for. */
export function renumbered(block: TextBlock): string {
  return block.continues === undefined ? block.text : block.text.replace(/^\d{1,9}/, String(block.continues));
}
