import { AppError, type Message, REACTION_LIMITS, type Reaction } from '@hubbub/core';

/**
 * Reactions as both chat stores read and write them: rows of (message, user,
 * emoji) grouped into what a message carries.
 */

export interface ReactionRow {
  messageId: string;
  userId: string;
  emoji: string;
  createdAt: string;
}

/** Rows (oldest first) grouped per message: each emoji in order of its first reaction, its first reactors listed. */
export function groupReactions(rows: ReactionRow[]): Map<string, Reaction[]> {
  const byMessage = new Map<string, Map<string, Reaction>>();
  for (const row of rows) {
    const emoji = byMessage.get(row.messageId) ?? new Map<string, Reaction>();
    byMessage.set(row.messageId, emoji);
    const reaction = emoji.get(row.emoji) ?? { emoji: row.emoji, count: 0, userIds: [] };
    emoji.set(row.emoji, reaction);
    reaction.count += 1;
    if (reaction.userIds.length < REACTION_LIMITS.userIds) reaction.userIds.push(row.userId);
  }
  return new Map([...byMessage].map(([id, emoji]) => [id, [...emoji.values()]]));
}

/** The messages with their reactions (a message with none carries none). */
export function withReactions(list: Message[], reactions: Map<string, Reaction[]>): Message[] {
  return list.map((message) => {
    const found = reactions.get(message.id);
    return found ? { ...message, reactions: found } : message;
  });
}

/** Refuses a new distinct emoji on a message that has the most it can take. */
export function assertRoomFor(emoji: string, present: string[]): void {
  if (!present.includes(emoji) && present.length >= REACTION_LIMITS.emoji) {
    throw new AppError('BAD_REQUEST', 'this message has the most reactions it can take');
  }
}
