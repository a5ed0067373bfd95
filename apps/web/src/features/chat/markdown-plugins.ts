/**
 * Pure helpers behind message Markdown: which URLs may become links, and two
 * small rehype steps on the HTML tree react-markdown builds (before it turns
 * into React elements). The tree types are declared here, structurally, so the
 * web app needs no direct dependency on the hast type package.
 */

export interface HastNode {
  type: string;
  tagName?: string;
  value?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
}

export interface HastElement extends HastNode {
  type: 'element';
  tagName: string;
  properties: Record<string, unknown>;
  children: HastNode[];
}

export interface HastParent extends HastNode {
  children: HastNode[];
}

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/**
 * The URL when it may be a link target (absolute http, https or mailto), else null.
 * Relative paths, `javascript:`, `data:`, `vbscript:` and anything unparsable are refused.
 */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  const trimmed = url.trim();
  // Control characters and whitespace inside a scheme are an old trick ("java\tscript:"): refuse.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (!trimmed || /[\u0000-\u001f\u007f]/.test(trimmed)) return null;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return null;
  }
  if (!SAFE_PROTOCOLS.has(parsed.protocol)) return null;
  if (parsed.protocol !== 'mailto:' && !parsed.hostname) return null;
  return trimmed;
}

/** react-markdown's urlTransform: unsafe URLs are dropped (the attribute disappears). */
export function markdownUrlTransform(url: string): string | null {
  return safeUrl(url);
}

function isElement(node: HastNode | undefined): node is HastElement {
  return node?.type === 'element';
}

function isBlankText(node: HastNode | undefined): boolean {
  return node?.type === 'text' && typeof node.value === 'string' && node.value.trim() === '';
}

/** The text of a subtree, as a person would copy it. */
export function hastText(node: HastNode): string {
  if (node.type === 'text') return typeof node.value === 'string' ? node.value : '';
  return (node.children ?? []).map(hastText).join('');
}

/** Elements that only hold other blocks: whitespace between their children means nothing. */
const BLOCK_CONTAINERS = new Set(['ul', 'ol', 'blockquote', 'table', 'thead', 'tbody', 'tfoot', 'tr']);
const BLOCKS = new Set([
  'blockquote',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'li',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'ul',
]);

const isBlock = (node: HastNode | undefined) => isElement(node) && BLOCKS.has(node.tagName);

/**
 * Drops the newline-only text nodes react-markdown puts between blocks. Messages
 * are shown with `white-space: pre-wrap` (so a typed line break stays a line
 * break, and copies as one), which would otherwise turn them into blank lines.
 * Whitespace inside paragraphs, headings and table cells is kept.
 */
export function tidyWhitespace(tree: HastParent): void {
  const walk = (parent: HastParent, container: boolean, listItem: boolean) => {
    parent.children = parent.children.filter((child, i, all) => {
      if (!isBlankText(child)) return true;
      if (container) return false;
      if (listItem) return !(i === 0 || i === all.length - 1 || isBlock(all[i - 1]) || isBlock(all[i + 1]));
      return true;
    });
    for (const child of parent.children) {
      if (isElement(child) && child.tagName !== 'pre') {
        walk(child, BLOCK_CONTAINERS.has(child.tagName), child.tagName === 'li');
      }
    }
  };
  walk(tree, true, false);
}

/** Never descend into these when looking for "the end of the text": the mark goes after them. */
const STOP_AT = new Set(['pre', 'code', 'a', 'br', 'hr', 'img', 'input', 'table']);

/**
 * Appends inline nodes (the streaming caret, "(edited)") at the end of the
 * last text, inside the last paragraph or list item rather than on a line of
 * their own below it.
 */
export function appendAtEnd(tree: HastParent, nodes: HastNode[]): void {
  if (nodes.length === 0) return;
  let target: HastParent = tree;
  for (;;) {
    const last = [...target.children].reverse().find((child) => !isBlankText(child));
    if (!isElement(last) || STOP_AT.has(last.tagName)) break;
    target = last;
  }
  target.children.push(...nodes);
}

/** The blinking caret at the end of a reply being written. */
export function caretNode(): HastElement {
  return {
    type: 'element',
    tagName: 'span',
    properties: { className: ['cursor'], ariaHidden: 'true', dataTestid: 'stream-caret' },
    children: [],
  };
}

/** The quiet "(edited)" after an edited message's text. */
export function editedNode(title: string): HastElement {
  return {
    type: 'element',
    tagName: 'span',
    properties: { className: ['edited'], title },
    children: [{ type: 'text', value: ' (edited)' }],
  };
}

/**
 * While a reply streams, its last paragraph may have opened `code` or **bold**
 * that the next tokens will close. Closing them early shows the formatting at
 * once instead of a stray "`" or "**" that flips into formatting a moment later.
 * Inside an open fenced code block nothing needs closing.
 */
export function closeOpenMarks(text: string): string {
  const fences = text.match(/^ {0,3}(`{3,}|~{3,})/gm)?.length ?? 0;
  if (fences % 2 === 1) return text;
  const tail = text.slice(text.lastIndexOf('\n\n') + 1);
  // Only when something follows the opening mark: "**" or "`" alone would turn into other syntax.
  const ticks = tail.match(/`/g)?.length ?? 0;
  if (ticks % 2 === 1) return /`\s*$/.test(tail) ? text : `${text}\``;
  const outsideCode = tail.replace(/`[^`]*`/g, '');
  const stars = outsideCode.match(/\*\*/g)?.length ?? 0;
  if (stars % 2 === 1 && !/\*\*\s*$/.test(outsideCode)) return `${text.trimEnd()}**`;
  return text;
}

/** "@handle" as a word (handles: letters and digits, single dots, dashes or underscores between them). */
const MENTION = /(^|[^\w@.])(@[a-z0-9]+(?:[._-][a-z0-9]+)*)(?![\w@])/gi;
const NO_MENTIONS = new Set(['a', 'code', 'pre']);

/** Wraps "@handle" (a person, an agent, @assistant, @channel) in a span, so the mention stands out (not in code or links). */
export function highlightMentions(parent: HastParent): void {
  const next: HastNode[] = [];
  for (const child of parent.children) {
    if (isElement(child)) {
      if (!NO_MENTIONS.has(child.tagName)) highlightMentions(child);
      next.push(child);
      continue;
    }
    const value = child.type === 'text' ? (child.value ?? '') : '';
    if (!value || value.search(MENTION) === -1) {
      next.push(child);
      continue;
    }
    let last = 0;
    for (const match of value.matchAll(MENTION)) {
      const at = (match.index ?? 0) + (match[1]?.length ?? 0);
      if (at > last) next.push({ type: 'text', value: value.slice(last, at) });
      next.push({
        type: 'element',
        tagName: 'span',
        properties: { className: ['mention'] },
        children: [{ type: 'text', value: match[2] ?? '' }],
      });
      last = at + (match[2]?.length ?? 0);
    }
    if (last < value.length) next.push({ type: 'text', value: value.slice(last) });
  }
  parent.children = next;
}

export interface EndMarks {
  caret?: boolean;
  editedTitle?: string | null;
}

/** rehype plugin: tidy whitespace, mark mentions, then put the end marks in place. */
export function rehypeMessage(options: EndMarks = {}) {
  return (tree: unknown) => {
    const root = tree as HastParent;
    tidyWhitespace(root);
    highlightMentions(root);
    const marks: HastNode[] = [];
    if (options.editedTitle) marks.push(editedNode(options.editedTitle));
    if (options.caret) marks.push(caretNode());
    appendAtEnd(root, marks);
  };
}
