import type { ChatStore, Message, ModelMessage } from '@hubbub/core';

export const DEFAULT_SYSTEM_PROMPT =
  'You are the assistant in Hubbub, a team chat where people and AI agents work together. ' +
  'Answer briefly and concretely in Markdown. Messages from people are prefixed with their name.';

/**
 * The model's view of the channel: the system prompt, then as many of the
 * latest messages as fit in `budgetChars`, oldest first, with roles.
 * `newestFirst` is what history() returns.
 */
export function buildPrompt(
  newestFirst: Message[],
  budgetChars: number,
  systemPrompt = DEFAULT_SYSTEM_PROMPT,
): ModelMessage[] {
  const picked: ModelMessage[] = [];
  let used = 0;
  for (const message of newestFirst) {
    if (message.status === 'failed' || !message.content.trim()) continue;
    const content =
      message.role === 'assistant'
        ? message.content
        : `${message.author?.displayName ?? 'someone'}: ${message.content}`;
    if (used + content.length > budgetChars) {
      // Always give the model the latest message, cut to the budget if need be.
      if (picked.length === 0) picked.push({ role: roleOf(message), content: content.slice(-budgetChars) });
      break;
    }
    used += content.length;
    picked.push({ role: roleOf(message), content });
  }
  return [{ role: 'system', content: systemPrompt }, ...picked.reverse()];
}

/**
 * What a reply at `seq` in a thread answers from, newest first (as buildPrompt takes it): the
 * thread's latest replies before it (at most 100), then its root.
 */
export async function threadContext(
  chat: Pick<ChatStore, 'thread'>,
  threadId: string,
  seq: number,
): Promise<Message[]> {
  const page = await chat.thread(threadId, { before: seq, limit: 100 });
  return [...page.items, page.root];
}

const roleOf = (message: Message): ModelMessage['role'] => (message.role === 'assistant' ? 'assistant' : 'user');

/** Does this message ask the assistant? */
export function mentionsAssistant(content: string): boolean {
  return /(^|[^\w@])@assistant\b/i.test(content);
}
