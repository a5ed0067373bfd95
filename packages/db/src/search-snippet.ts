import { SEARCH_LIMITS } from '@hubbub/core';

/**
 * A hit's snippet as both search stores make it: the database marks the
 * matched words in the whole text (FTS5's highlight(), PostgreSQL's
 * ts_headline with HighlightAll), this reads the marks back out as ranges and
 * cuts a window around the first one. The marks are control characters a
 * message practically never has; when one does, its hit simply has no highlights.
 */
export const MARK_START = '\u0001';
export const MARK_END = '\u0002';

type Range = [number, number];

/** `marked` without its marks and the ranges they enclosed; null when that is not `original` (which had marks itself). */
export function readMarks(marked: string, original: string): { text: string; ranges: Range[] } | null {
  const ranges: Range[] = [];
  let text = '';
  let open = -1;
  for (const char of marked) {
    if (char === MARK_START) open = text.length;
    else if (char === MARK_END) {
      if (open >= 0 && open < text.length) ranges.push([open, text.length]);
      open = -1;
    } else text += char;
  }
  return text === original ? { text, ranges: mergeAdjacent(ranges) } : null;
}

/** "e-mail" is marked as "e" and "mail": one highlight reads better when only punctuation parts them. */
function mergeAdjacent(ranges: Range[]): Range[] {
  const merged: Range[] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] - last[1] <= 1) last[1] = range[1];
    else merged.push([...range]);
  }
  return merged;
}

/** Where a cut at `index` lands without splitting a surrogate pair. */
const safeCut = (text: string, index: number) => {
  const code = text.charCodeAt(index);
  return code >= 0xdc00 && code <= 0xdfff ? index + 1 : index;
};

/**
 * At most about `max` characters of `text` around its first range (some
 * context before it), cut at spaces where there are any, with "…" where text
 * was left out; the ranges moved to match (and cut to the window).
 */
export function snippetAround(
  text: string,
  ranges: Range[],
  max: number = SEARCH_LIMITS.snippet,
): { snippet: string; highlights: Range[] } {
  if (text.length <= max) return { snippet: text, highlights: ranges };
  const first = ranges[0]?.[0] ?? 0;
  let start = Math.max(0, Math.min(first - Math.floor(max / 4), text.length - max));
  if (start > 0) {
    const space = text.slice(start, first).search(/\s/u);
    start = space >= 0 ? start + space + 1 : start;
  }
  start = safeCut(text, start);
  let end = Math.min(text.length, start + max);
  if (end < text.length) {
    const space = text.slice(start, end).search(/\s\S*$/u);
    const lastRangeEnd = ranges.find(([a]) => a >= start)?.[1] ?? start;
    if (space > 0 && start + space >= lastRangeEnd) end = start + space;
  }
  end = safeCut(text, end);
  const prefix = start > 0 ? '…' : '';
  const suffix = end < text.length ? '…' : '';
  const shift = prefix.length - start;
  const highlights = ranges
    .filter(([a, b]) => b > start && a < end)
    .map(([a, b]): Range => [Math.max(a, start) + shift, Math.min(b, end) + shift]);
  return { snippet: `${prefix}${text.slice(start, end).trimEnd()}${suffix}`, highlights };
}

/** A hit's snippet from the database's marked text (plain and unhighlighted when the marks cannot be trusted). */
export function searchSnippet(content: string, marked: string | null): { snippet: string; highlights: Range[] } {
  const read = marked === null ? null : readMarks(marked, content);
  return snippetAround(content, read?.ranges ?? []);
}
