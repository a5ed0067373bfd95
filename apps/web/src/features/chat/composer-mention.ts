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

/** One way to complete a mention: a person, an agent, the assistant, or everyone in the channel. */
export interface MentionOption {
  handle: string;
  label: string;
  /** Says what the mention does (the assistant replies, @channel tells everyone…). */
  hint: string;
  kind: 'assistant' | 'channel' | 'person' | 'agent';
}

/** Options shown at once: more would only push the composer away. */
export const MAX_MENTION_OPTIONS = 8;

/**
 * The "@", "@ad", … being typed right at the caret; null otherwise (inside an
 * email address, the caret in the middle of a word, no "@").
 */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  if (caret < 0 || caret > text.length) return null;
  const match = /(?:^|[^\w@])@([\w.-]*)$/.exec(text.slice(0, caret));
  if (!match) return null;
  if (/^[\w.-]/.test(text.slice(caret))) return null;
  const query = match[1] ?? '';
  return { start: caret - query.length - 1, end: caret, query };
}

/**
 * What a typed "@query" may become, best first: the assistant, @channel (only for those allowed to
 * use it: the channel's owner and admins), then the people and agents found, each once, at most
 * MAX_MENTION_OPTIONS. A query that already names one of them exactly offers nothing more.
 */
export function mentionOptions(
  query: string,
  found: { handle: string; displayName: string; role: string }[],
  options: { mayMentionChannel: boolean; me: string },
): MentionOption[] {
  const lower = query.toLowerCase();
  const starts = (value: string) => value.toLowerCase().startsWith(lower);
  const all: MentionOption[] = [];
  if (starts('assistant')) {
    all.push({
      handle: 'assistant',
      label: ASSISTANT_MENTION,
      hint: 'Ask the AI assistant; it replies here',
      kind: 'assistant',
    });
  }
  if (options.mayMentionChannel && starts('channel')) {
    all.push({ handle: 'channel', label: '@channel', hint: 'Tell everyone in this channel', kind: 'channel' });
  }
  for (const person of found) {
    if (person.handle === options.me || !(starts(person.handle) || starts(person.displayName))) continue;
    // The built-in assistant is offered above already.
    if (person.handle === 'assistant') continue;
    const kind = person.role === 'agent' ? 'agent' : 'person';
    // Not every agent answers (an API key's identity works on tasks): the hint only says what it is.
    const hint = kind === 'agent' ? `@${person.handle} · agent` : `@${person.handle}`;
    all.push({ handle: person.handle, label: person.displayName, hint, kind });
  }
  if (all.some((option) => option.handle === lower)) return [];
  return all.slice(0, MAX_MENTION_OPTIONS);
}

/** The text with the mention completed as `@handle` (and one space after it), and where the caret goes. */
export function acceptMention(
  text: string,
  mention: MentionQuery,
  handle = ASSISTANT_MENTION.slice(1),
): { text: string; caret: number } {
  const before = text.slice(0, mention.start);
  const after = text.slice(mention.end);
  const inserted = `@${handle}`;
  const next = `${before}${inserted}${after.startsWith(' ') ? '' : ' '}${after}`;
  return { text: next, caret: before.length + inserted.length + 1 };
}
