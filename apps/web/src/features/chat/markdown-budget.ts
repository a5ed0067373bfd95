/**
 * How much Markdown work a text could cause, measured before it is parsed.
 *
 * The parser (micromark, through react-markdown) recurses once per nesting
 * level and has quadratic paths: 8,000 `>` overflow the stack, a few thousand
 * `*a`, `]` or setext headings take hundreds of milliseconds to seconds. So
 * what is given to one parse (a message's block, or a run of small blocks:
 * markdown-plan.ts) is measured first, in one linear pass (well under a
 * millisecond at 8,000 characters), and shown as plain text when it is out of
 * budget.
 *
 * The depths are upper bounds of what the parser builds (a property test holds
 * them against the real parser) and the tokens grow with the elements it
 * builds. When unsure they err towards "plain text", which only ever costs the
 * formatting of a message no person would write.
 */

export interface MarkdownMeasure {
  /** Most containers (block quotes, list items, footnote definitions) one line can be inside. */
  blockDepth: number;
  /** Most emphasis, strikethrough and link brackets that can be open at once in a paragraph. */
  inlineDepth: number;
  /**
   * Work for the parser, roughly one per element it may build: a line (two
   * when it starts a block), an inline mark (delimiter run, bracket, pipe, `<`)
   * or, counting twice, a block marker (quote, list item, footnote, heading,
   * underline) or a bare URL or email address.
   */
  tokens: number;
}

/**
 * 16 levels is far beyond any real message (three or four are plenty) and
 * keeps the rendered tree shallow. An 8,000-character message dense with
 * ordinary formatting measures about 1,200 tokens; 1,500 leaves it room, and
 * at 1,500 even the parser's worst shapes cost about what that message does.
 */
export const MARKDOWN_BUDGET: MarkdownMeasure = { blockDepth: 16, inlineDepth: 16, tokens: 1500 };

/** `format`: render as Markdown. Otherwise the reason it is shown as plain text. */
export type MarkdownPlan = 'format' | 'too-nested' | 'too-complex';

export function planMarkdown(text: string, budget: MarkdownMeasure = MARKDOWN_BUDGET): MarkdownPlan {
  return judgeMeasure(measureMarkdown(text), budget);
}

/** The plan for a text that measured `measure`. */
export function judgeMeasure(measure: MarkdownMeasure, budget: MarkdownMeasure = MARKDOWN_BUDGET): MarkdownPlan {
  if (measure.blockDepth > budget.blockDepth || measure.inlineDepth > budget.inlineDepth) return 'too-nested';
  if (measure.tokens > budget.tokens) return 'too-complex';
  return 'format';
}

const LINE_BREAK = /\r\n|\r|\n/;
const FENCE_OPEN = /^(`{3,}|~{3,})(.*)$/;
/**
 * A blank line, or one of only `>` markers: no paragraph goes on past it. Not a
 * lone list marker ("1." after a paragraph line is more of its text), nor a `>`
 * indented four columns or more (also text).
 */
const ENDS_PARAGRAPH = /^(\s*| {0,3}>[\s>]*)$/;
/** A setext heading's underline (or a thematic break): the parser rewrites the block above it. */
const UNDERLINE = /^(=+|-+)[ \t]*$/;
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const PUNCTUATION = /[\p{P}\p{S}]/u;
const WHITESPACE = /\s/;

/** Measures `text` in one pass over its lines. */
export function measureMarkdown(text: string): MarkdownMeasure {
  const measure: MarkdownMeasure = { blockDepth: 0, inlineDepth: 0, tokens: 0 };
  const lines = text.split(LINE_BREAK);
  let fence: { char: string; length: number } | null = null;
  let html: RegExp | null = null;
  let paragraph = new OpenMarks();
  let blockStart = true;

  for (const line of lines) {
    if (fence) {
      if (closesFence(line, fence)) fence = null;
      continue;
    }
    const opened = html ? null : fenceOpening(line);
    if (opened) {
      fence = opened;
      paragraph = new OpenMarks();
      measure.tokens += 2;
      blockStart = true;
      continue;
    }

    const prefix = containerPrefix(line);
    if (prefix.markers > 0) {
      measure.blockDepth = Math.max(measure.blockDepth, prefix.markers + Math.floor(prefix.columns / 2));
    }
    if (ENDS_PARAGRAPH.test(line)) {
      paragraph = new OpenMarks();
      if (html === HTML_ENDS_AT_BLANK && line.trim() === '') html = null;
      measure.tokens += 2 * prefix.markers;
      blockStart = true;
      continue;
    }
    html = html ? (html.test(line) ? null : html) : htmlBlockEnd(line);

    const rest = line.slice(prefix.end);
    const blockMarkers = prefix.markers + (rest.startsWith('#') || UNDERLINE.test(rest) ? 1 : 0);
    measure.tokens += 1 + (blockStart ? 1 : 0) + 2 * blockMarkers;
    blockStart = false;
    scanInline(line, prefix.end, paragraph, measure);
  }
  return measure;
}

/**
 * Only a fence at column 0 counts: there it cannot belong to a container, so
 * the parser agrees that what follows is code. Indented fences (in a list or
 * a quote) are measured like any other text.
 */
export function fenceOpening(line: string): { char: string; length: number } | null {
  const match = FENCE_OPEN.exec(line);
  const run = match?.[1];
  if (!run) return null;
  // A backtick fence's info string cannot contain a backtick (then it is inline code).
  if (run[0] === '`' && match[2]?.includes('`')) return null;
  return { char: run[0] ?? '`', length: run.length };
}

/** Generous on purpose: closing too early only means measuring more text. */
export function closesFence(line: string, fence: { char: string; length: number }): boolean {
  const trimmed = line.replace(/^[ \t]{0,3}/, '');
  let run = 0;
  while (trimmed[run] === fence.char) run++;
  return run >= fence.length && trimmed.slice(run).trim() === '';
}

/** The end of an HTML block that runs until a blank line (it never matches a line). */
export const HTML_ENDS_AT_BLANK = /(?!)/;

/**
 * A line that may start an HTML block, and how that block ends. Inside one a
 * fence is raw HTML, not code, so fences are not recognised there; when in
 * doubt the block is assumed to run until a blank line.
 */
export function htmlBlockEnd(line: string): RegExp | null {
  const start = line.replace(/^ {0,3}/, '');
  if (start[0] !== '<') return null;
  let end: RegExp = HTML_ENDS_AT_BLANK;
  let opening = 1;
  if (start.startsWith('<!--')) [end, opening] = [/-->/, 4];
  else if (start.startsWith('<?')) [end, opening] = [/\?>/, 2];
  else if (start.startsWith('<![CDATA[')) [end, opening] = [/\]\]>/, 9];
  else if (/^<![a-z]/i.test(start)) [end, opening] = [/>/, 2];
  else if (/^<(pre|script|style|textarea)([\s>]|$)/i.test(start)) end = /<\/(pre|script|style|textarea)>/i;
  // The block may end on its first line (looking only past its opening, so never too early).
  return end !== HTML_ENDS_AT_BLANK && end.test(start.slice(opening)) ? null : end;
}

/** Sticky: they match exactly where `lastIndex` points. Footnote definitions are containers too. */
const LIST_MARKER = /(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)/y;
const FOOTNOTE_MARKER = /\[\^[^\]]{1,999}\]:/y;

function markerAt(line: string, i: number): number {
  for (const marker of [LIST_MARKER, FOOTNOTE_MARKER]) {
    marker.lastIndex = i;
    if (marker.test(line)) return marker.lastIndex - i;
  }
  return 0;
}

/**
 * The run of container markers and whitespace a line starts with. Each nested
 * container needs a marker or at least two columns of indentation, so
 * `markers + columns / 2` bounds how deep the line can be.
 */
function containerPrefix(line: string): { markers: number; columns: number; end: number } {
  let markers = 0;
  let columns = 0;
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (ch === ' ') {
      columns += 1;
      i += 1;
    } else if (ch === '\t') {
      columns += 4;
      i += 1;
    } else if (ch === '>') {
      markers += 1;
      i += line[i + 1] === ' ' ? 2 : 1;
    } else {
      const length = markerAt(line, i);
      if (length === 0) break;
      markers += 1;
      i += length + (line[i + length] === ' ' ? 1 : 0);
    }
  }
  return { markers, columns, end: i };
}

/** Emphasis and link brackets still open in the current paragraph. */
class OpenMarks {
  readonly runs: Record<string, number> = { '*': 0, _: 0, '~': 0 };
  brackets = 0;

  get depth(): number {
    return (this.runs['*'] ?? 0) + (this.runs._ ?? 0) + (this.runs['~'] ?? 0) + this.brackets;
  }
}

/**
 * Counts tokens and tracks open delimiters, by CommonMark's flanking rules: a
 * run that can only close closes what is open of its kind; one that can open
 * (or both, with nothing to close) adds its length, the most levels it can
 * make. Emphasis never crosses a blank line, so `marks` is per paragraph.
 */
function scanInline(line: string, from: number, marks: OpenMarks, measure: MarkdownMeasure): void {
  let i = from;
  while (i < line.length) {
    const ch = line[i] ?? '';
    if (ch === '\\' && ASCII_PUNCTUATION.test(line[i + 1] ?? '')) {
      i += 2;
      continue;
    }
    if (ch === '*' || ch === '_' || ch === '~' || ch === '`') {
      let end = i + 1;
      while (line[end] === ch) end++;
      measure.tokens += 1;
      if (ch !== '`') {
        // The container prefix is not part of the paragraph: its end counts as the start of a line.
        trackRun(ch, end - i, i === from ? '' : (line[i - 1] ?? ''), line[end] ?? '', marks);
        measure.inlineDepth = Math.max(measure.inlineDepth, marks.depth);
      }
      i = end;
      continue;
    }
    if (ch === '[') {
      marks.brackets += 1;
      measure.inlineDepth = Math.max(measure.inlineDepth, marks.depth);
    } else if (ch === ']') {
      marks.brackets = Math.max(0, marks.brackets - 1);
    }
    if (ch === '[' || ch === ']' || ch === '<' || ch === '|') measure.tokens += 1;
    // A bare URL or address becomes a link, which costs about what a bracketed one does.
    else if (autolinkStart(line, i)) measure.tokens += 2;
    i += 1;
  }
}

function trackRun(ch: string, length: number, before: string, after: string, marks: OpenMarks): void {
  const spaceBefore = before === '' || WHITESPACE.test(before);
  const spaceAfter = after === '' || WHITESPACE.test(after);
  const punctBefore = PUNCTUATION.test(before);
  const punctAfter = PUNCTUATION.test(after);
  const left = !spaceAfter && (!punctAfter || spaceBefore || punctBefore);
  const right = !spaceBefore && (!punctBefore || spaceAfter || punctAfter);
  const canOpen = ch === '_' ? left && (!right || punctBefore) : left;
  const canClose = ch === '_' ? right && (!left || punctAfter) : right;
  const open = marks.runs[ch] ?? 0;
  if (canClose && (open > 0 || !canOpen)) marks.runs[ch] = Math.max(0, open - length);
  else if (canOpen) marks.runs[ch] = open + length;
}

/** Where a bare URL or email address may become a link (GFM autolink literals). */
function autolinkStart(line: string, i: number): boolean {
  const ch = line[i];
  if (ch === '@') return true;
  if (ch === ':') return line.startsWith('//', i + 1);
  return (ch === 'w' || ch === 'W') && /^www\./i.test(line.slice(i, i + 4));
}
