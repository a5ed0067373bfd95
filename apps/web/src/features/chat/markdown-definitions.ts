import { indentation, linesOf } from './markdown-blocks';

/**
 * Link reference definitions ("[label]: url") and footnote definitions
 * ("[^label]: text") hold for the whole message, wherever they stand. When a
 * message is parsed block by block, a block that refers to a label defined in
 * another block gets a copy of that definition ahead of its text (a definition
 * renders nothing where it stands), so its links resolve as in one parse.
 *
 * Found without parsing: the definitions a block starts with, one a line (a
 * footnote with its indented or lazy lines). A definition written any other
 * way still works in its own block.
 */

export interface Definition {
  /** The normalized label, "^"-prefixed for a footnote. */
  label: string;
  text: string;
}

const BLANK = /^[ \t]*$/;
/** A destination: in angle brackets, or without spaces and with its parentheses balanced (one level deep). */
const DESTINATION = String.raw`(?:<(?:[^<>\\]|\\.)*>|(?!<)(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))+)`;
const TITLE = String.raw`(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\))`;
const LINK_DEFINITION = new RegExp(
  String.raw`^ {0,3}\[((?:[^\\[\]]|\\.){1,999})\]:[ \t]*${DESTINATION}(?:[ \t]+${TITLE})?[ \t]*$`,
);
const FOOTNOTE_DEFINITION = /^ {0,3}\[\^((?:[^\\[\]]|\\.){1,999})\]:/;
/** A line that starts a block of its own, so it is no lazy continuation of a footnote's paragraph. */
const STARTS_BLOCK = /^ {0,3}(?:[>#<|]|[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|```|~~~|[=-]+[ \t]*$|[*_]{3})/;

/** As the parser matches labels: case-insensitive, runs of whitespace as one space. */
export function normalizeLabel(label: string): string {
  return label
    .replace(/[ \t\r\n]+/g, ' ')
    .trim()
    .toLowerCase()
    .toUpperCase();
}

/** Whether line `i`, after a footnote definition's first line, is still part of it. */
function footnoteGoesOn(lines: string[], i: number): boolean {
  const line = lines[i] ?? '';
  if (BLANK.test(line)) {
    let next = i + 1;
    while (next < lines.length && BLANK.test(lines[next] ?? '')) next++;
    return next < lines.length && indentation(lines[next] ?? '') >= 4;
  }
  if (indentation(line) >= 4) return true;
  return !(LINK_DEFINITION.test(line) || FOOTNOTE_DEFINITION.test(line) || STARTS_BLOCK.test(line));
}

/** The definitions `text` starts with, and whether they are all it holds (then it renders nothing). */
export function leadingDefinitions(text: string): { definitions: Definition[]; only: boolean } {
  if (!/^ {0,3}\[/.test(text)) return { definitions: [], only: false };
  const lines = linesOf(text).map((line) => line.text);
  const definitions: Definition[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const link = LINK_DEFINITION.exec(line);
    if (link?.[1] && !link[1].startsWith('^') && link[1].trim() !== '') {
      definitions.push({ label: normalizeLabel(link[1]), text: line });
      i += 1;
      continue;
    }
    const footnote = FOOTNOTE_DEFINITION.exec(line);
    if (!footnote?.[1]) break;
    let end = i + 1;
    while (end < lines.length && footnoteGoesOn(lines, end)) end++;
    definitions.push({ label: `^${normalizeLabel(footnote[1])}`, text: lines.slice(i, end).join('\n') });
    i = end;
  }
  return { definitions, only: definitions.length > 0 && i === lines.length };
}

/** Every bracketed text in `text`, normalized: a superset of the labels it refers to. */
export function referencedLabels(text: string): Set<string> {
  const labels = new Set<string>();
  for (const match of text.matchAll(/\[([^[\]]{1,999})\]/g)) labels.add(normalizeLabel(match[1] ?? ''));
  return labels;
}

/**
 * Most characters of definitions copied into one part: far more than a part's
 * citations take, and a bound on the copies a message can make.
 */
const MAX_COPIED = 8000;

/** The definitions of a message's blocks, by label (the first definition of a label wins). */
export class MessageDefinitions {
  private readonly byLabel = new Map<string, { text: string; block: number; order: number }>();

  add(block: number, definitions: Definition[]): void {
    for (const { label, text } of definitions) {
      if (!this.byLabel.has(label)) this.byLabel.set(label, { text, block, order: this.byLabel.size });
    }
  }

  /**
   * The definitions `text` (blocks `first` to `last`) refers to that other
   * blocks hold, and those they refer to, in message order.
   */
  neededBy(text: string, first: number, last: number = first): string[] {
    if (this.byLabel.size === 0) return [];
    const needed: { text: string; order: number }[] = [];
    const seen = new Set<string>();
    const queue = [...referencedLabels(text)];
    let size = 0;
    for (let label = queue.pop(); label !== undefined; label = queue.pop()) {
      const definition = this.byLabel.get(label);
      if (seen.has(label) || !definition || (definition.block >= first && definition.block <= last)) continue;
      seen.add(label);
      size += definition.text.length;
      if (size > MAX_COPIED) break;
      needed.push(definition);
      queue.push(...referencedLabels(definition.text));
    }
    return needed.sort((a, b) => a.order - b.order).map((definition) => definition.text);
  }
}
