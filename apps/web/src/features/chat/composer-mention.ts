/** The mention that asks the assistant, and the composer's completion of it. */
export const ASSISTANT_MENTION = '@assistant';

/** Same rule as the server (packages/assistant mentionsAssistant): "@assistant" as a word, not inside an address. */
export function mentionsAssistant(text: string): boolean {
  return /(^|[^\w@])@assistant\b/i.test(text);
}

export interface MentionQuery {
  /** Where the "@" is. */
  start: number;
  /** The caret (end of what was typed). */
  end: number;
  /** What follows the "@" so far. */
  query: string;
}

/**
 * The "@", "@as", … being typed right at the caret when it could still become
 * "@assistant"; null otherwise (inside an email address, already complete,
 * something else, or the caret in the middle of a word).
 */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  if (caret < 0 || caret > text.length) return null;
  const match = /(?:^|[^\w@])@(\w*)$/.exec(text.slice(0, caret));
  if (!match) return null;
  if (/^\w/.test(text.slice(caret))) return null;
  const query = match[1] ?? '';
  const wanted = ASSISTANT_MENTION.slice(1);
  const lower = query.toLowerCase();
  if (lower === wanted || !wanted.startsWith(lower)) return null;
  return { start: caret - query.length - 1, end: caret, query };
}

/** The text with the mention completed (and one space after it), and where the caret goes. */
export function acceptMention(text: string, mention: MentionQuery): { text: string; caret: number } {
  const before = text.slice(0, mention.start);
  const after = text.slice(mention.end);
  const next = `${before}${ASSISTANT_MENTION}${after.startsWith(' ') ? '' : ' '}${after}`;
  return { text: next, caret: before.length + ASSISTANT_MENTION.length + 1 };
}
